package io.mixpanelpipelines.job.day;

import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.source.Spool;
import io.mixpanelpipelines.source.SpoolManifest;
import io.mixpanelpipelines.state.PartitionLedger;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.Optional;
import io.mixpanelpipelines.job.plan.RequestWindow;
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
 * <p>A slice of a sliced day ({@link SliceStep}) is converted the same way from its own slice spool (or its
 * own request, when no step 1 fetched it), with checkpoints of its own, into the day's staging area; the
 * last slice staged assembles the day ({@link SliceAssembly}). A sliced day whose hashed slices hold the
 * published content is one partition that converts nothing.
 *
 * <p>Not thread-safe: one instance per step execution (step scope), called by the step's thread.
 */
public class DayStream implements ItemStream {

    private static final Logger log = LoggerFactory.getLogger(DayStream.class);
    /** In a slice step's context: the slice assembled and published its day (its step deletes the day's spools). */
    static final String ASSEMBLED = "slice.assembled";

    private final LocalDate day;
    private final JobDefinition job;
    private final String runId;
    private final PartitionLedger ledger;
    private final DaySpools spools;
    private final DayLineReader reader;
    private final DayPartWriter writer;
    /** The slice converted, when the partition is one slice of a sliced day; else null. */
    private final SliceStep slice;
    /** The day's sliced window when the partition is a whole sliced day found unchanged at planning; else null. */
    private final RequestWindow slicedDay;
    private boolean opened;

    /**
     * @param runId this run's id (a restarted step keeps the one its files are named after)
     * @param slice the slice the partition converts, or null for a whole day
     * @param slicedDay for a whole day: its sliced window when its slices were hashed and found the published
     *     content at planning (the partition then converts nothing), else null
     */
    public DayStream(LocalDate day, JobDefinition job, String runId, PartitionLedger ledger, DaySpools spools,
            DayLineReader reader, DayPartWriter writer, SliceStep slice, RequestWindow slicedDay) {
        this.day = day;
        this.job = job;
        this.runId = runId;
        this.ledger = ledger;
        this.spools = spools;
        this.reader = reader;
        this.writer = writer;
        this.slice = slice;
        this.slicedDay = slicedDay;
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
        if (slice == null) { // a sliced day was recorded as started once, before its slices ran
            ledger.started(job.name(), day, runId);
        }
        try {
            Spool spool = spools.forDay(day);
            if (slice != null) {
                openSlice(ec, filesRunId, spool);
                return;
            }
            if (slicedDay != null && !spool.isComplete() && unchangedSlices(ec, filesRunId, spool)) {
                return;
            }
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
            DayCheckpoint checkpoint = restore(ec, filesRunId, spool, day.toString());
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
            openSpool(spool, checkpoint, day.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(day + ": " + e.getMessage(), e);
        }
    }

    /**
     * A slice of a sliced day: its spool from its checkpoint on. A slice no step 1 fetched (a remote worker's)
     * is fetched first, whole, into its spool (shared with the other workers once complete), so that a worker
     * dying while converting it leaves it to another one to resume from its checkpoint without a request.
     * Its rejected and repaired lines go beside the day's spool (the slices' folder goes once the day is
     * published), in files named after the slice.
     */
    private void openSlice(ExecutionContext ec, String filesRunId, Spool daySpool) throws IOException {
        Spool body = spools.sliceBody(slice.slice());
        if (!body.isComplete()) {
            log.info("{}: fetching the slice", slice.label());
            reader.fetchInto(body);
        }
        DayCheckpoint checkpoint = restore(ec, filesRunId, body, slice.label());
        writer.open(checkpoint, daySpool.rejectedDir(), daySpool.repairedDir());
        openSpool(body, checkpoint, slice.label());
    }

    /**
     * A sliced day whose slices were hashed as they arrived and, at planning, summed to the published content:
     * left alone without converting a line. Should the ledger have changed since (an operator's rerun), the
     * slices are joined into the day's spool (answers false) and the day is converted as one.
     */
    private boolean unchangedSlices(ExecutionContext ec, String filesRunId, Spool daySpool) throws IOException {
        java.util.List<io.mixpanelpipelines.job.plan.DaySlice> slices = slicedDay.slices(job.mixpanel().timezone());
        SpoolManifest sum = spools.hashedSlices(slices, slicedDay.label());
        DayCheckpoint start = DayCheckpoint.start(filesRunId, slicedDay.label());
        start.save(ec);
        writer.open(start, daySpool.rejectedDir(), daySpool.repairedDir());
        if (sum != null && writer.completeIfUnchanged(sum)) {
            writer.checkpoint().save(ec);
            return true;
        }
        writer.close();
        io.mixpanelpipelines.ingest.SpoolJoiner.join(slices.stream().map(spools::forSplitSlice).toList(),
                slicedDay.label(), daySpool);
        log.info("{}: changed since its slices were hashed; converting them joined", slicedDay.label());
        return false;
    }

    /** The checkpoint saved on {@code spool}'s body, or its start; saved at once. */
    private static DayCheckpoint restore(ExecutionContext ec, String filesRunId, Spool spool, String label) {
        String bodyId = spool.bodyId();
        String saved = DayCheckpoint.savedSpoolId(ec);
        DayCheckpoint checkpoint = DayCheckpoint.restore(ec, filesRunId, bodyId);
        if (DayCheckpoint.STREAMED.equals(saved)) {
            log.info("{}: converting the spool downloaded by the interrupted execution from the start", label);
        } else if (saved != null && !saved.equals(bodyId)) {
            log.info("{}: the spool was fetched again since the last checkpoint; converting from the start", label);
        }
        checkpoint.save(ec);
        return checkpoint;
    }

    private void openSpool(Spool spool, DayCheckpoint checkpoint, String label) throws IOException {
        reader.openSpool(spool, checkpoint.resumeOffset(), checkpoint.resumeLine());
        if (checkpoint.resumeOffset() > 0) {
            log.info("{}: resuming after {} closed parts at line {}", label, checkpoint.parts().size(),
                    checkpoint.resumeLine());
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
        if (writer.assembled()) {
            ec.put(ASSEMBLED, true);
        }
    }

    /** Whether the slice step of {@code ec} assembled its day: then the day's slice spools are done with. */
    public static boolean assembledDay(ExecutionContext ec) {
        return Boolean.TRUE.equals(ec.get(ASSEMBLED, Boolean.class, false));
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
