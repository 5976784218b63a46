package io.mixpanelpipelines.job.day;

import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.source.Spool;
import io.mixpanelpipelines.source.SpoolManifest;
import io.mixpanelpipelines.state.PartitionLedger;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStream;
import org.springframework.batch.infrastructure.item.ItemStreamException;

/**
 * The day step's life: {@link #open} picks the day's body (its complete spool, or its own request
 * downloaded while converting) and the {@link DayCheckpoint} to resume from, which is applied only to the
 * very spool body it was made on; it brings the writer's outputs back to it and opens the reader there.
 * {@link #update} saves the writer's latest checkpoint at every chunk commit; {@link #close} stops both. A
 * day an earlier execution already published is left alone, and so is a spool whose manifest shows the
 * published content again (a lookback day split out of a window and found unchanged): it is not converted.
 * Such a spool may have kept no body ({@link Spool#OMITTED}): if the day must be converted after all, it is
 * fetched again on its own. A published day that is its own request is first only hashed as it downloads
 * ({@link DayLineReader#fetchHashed}) and converted from its spool only if it changed; any other day of its
 * own is converted as it downloads.
 *
 * <p>Not thread-safe: one instance per step execution (step scope), called by the step's thread.
 */
public class DayStream implements ItemStream {

    private static final Logger log = LoggerFactory.getLogger(DayStream.class);

    private final LocalDate day;
    private final JobDefinition job;
    private final String runId;
    private final PartitionLedger ledger;
    private final DaySpools spools;
    private final DayLineReader reader;
    private final DayPartWriter writer;
    private boolean opened;

    /** @param runId this run's id (a restarted step keeps the one its files are named after) */
    public DayStream(LocalDate day, JobDefinition job, String runId, PartitionLedger ledger, DaySpools spools,
            DayLineReader reader, DayPartWriter writer) {
        this.day = day;
        this.job = job;
        this.runId = runId;
        this.ledger = ledger;
        this.spools = spools;
        this.reader = reader;
        this.writer = writer;
    }

    @Override
    public void open(ExecutionContext ec) throws ItemStreamException {
        if (opened) {
            return;
        }
        opened = true;
        if (DayCheckpoint.isPublished(ec)) {
            return; // published by an earlier execution whose step then failed to complete: nothing to read
        }
        String filesRunId = DayCheckpoint.runId(ec, runId);
        ledger.started(job.name(), day, runId);
        try {
            Spool spool = spools.forDay(day);
            SpoolManifest hashed = null;
            if (!spool.isComplete()) {
                // the day is its own request (step 1 left it to this step)
                Optional<String> published = DayCompletion.unchangedHash(ledger, job.name(), day);
                if (published.isEmpty()) {
                    download(ec, filesRunId, spool); // to be published whatever it holds: converted as it downloads
                    return;
                }
                // re-fetched for late data, almost always unchanged: hashed as it downloads, converted only if changed
                hashed = reader.fetchHashed(spool, published.get());
            }
            String bodyId = spool.bodyId();
            String saved = DayCheckpoint.savedSpoolId(ec);
            DayCheckpoint checkpoint = DayCheckpoint.restore(ec, filesRunId, bodyId);
            if (DayCheckpoint.STREAMED.equals(saved)) {
                log.info("{}: converting the spool downloaded by the interrupted execution from the start", day);
            } else if (saved != null && !saved.equals(bodyId)) {
                log.info("{}: the spool was fetched again since the last checkpoint; converting from the start", day);
            }
            checkpoint.save(ec);
            writer.open(checkpoint, spool.rejectedDir(), spool.repairedDir());
            if (writer.completeIfUnchanged(hashed != null ? hashed : spool.manifest())) {
                writer.checkpoint().save(ec); // the reader stays closed: the step reads nothing and completes
                return;
            }
            if (Spool.OMITTED.equals(spool.manifest().encoding())) {
                // found unchanged when its window was split, but no longer (the ledger changed since, say an
                // operator's rerun): its body was not kept, so the day is fetched on its own
                log.info("{}: its body was not kept (it was unchanged when split); fetching it again", day);
                spool.delete();
                download(ec, filesRunId, spool);
                return;
            }
            reader.openSpool(spool, checkpoint.resumeOffset(), checkpoint.resumeLine());
            if (checkpoint.resumeOffset() > 0) {
                log.info("{}: resuming after {} closed parts at line {}", day, checkpoint.parts().size(),
                        checkpoint.resumeLine());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(day + ": " + e.getMessage(), e);
        }
    }

    /** Downloads the day's own request while converting it; the reader opens on the first read. */
    private void download(ExecutionContext ec, String filesRunId, Spool spool) throws IOException {
        DayCheckpoint start = DayCheckpoint.start(filesRunId, DayCheckpoint.STREAMED);
        start.save(ec);
        writer.open(start, spool.rejectedDir(), spool.repairedDir());
        reader.openDownload(spool, writer::discard);
    }

    @Override
    public void update(ExecutionContext ec) throws ItemStreamException {
        DayCheckpoint checkpoint = writer.checkpoint();
        if (checkpoint != null) {
            checkpoint.save(ec);
        }
    }

    @Override
    public void close() throws ItemStreamException {
        try {
            try {
                writer.close();
            } finally {
                reader.close();
            }
        } catch (IOException e) {
            throw new ItemStreamException(day + ": cannot close the spool", e);
        }
    }
}
