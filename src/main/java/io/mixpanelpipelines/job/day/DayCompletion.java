package io.mixpanelpipelines.job.day;

import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.dataset.DatasetLayout;
import io.mixpanelpipelines.dataset.DayManifest;
import io.mixpanelpipelines.dataset.DayPublisher;
import io.mixpanelpipelines.dataset.PartInfo;
import io.mixpanelpipelines.ingest.LineHash;
import io.mixpanelpipelines.source.SpoolManifest;
import io.mixpanelpipelines.state.PartitionLedger;
import io.mixpanelpipelines.state.PartitionRecord;
import io.mixpanelpipelines.state.PartitionState;
import io.mixpanelpipelines.storage.Storage;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a day whose parts are all closed: {@linkplain DayPublisher publishes} them with the day's
 * manifest and records it in the ledger, or, when a late-data re-fetch found exactly the published content
 * (same row count and line hash), leaves the published day alone ("unchanged") and deletes the staged parts.
 * An operator's rerun always rewrites (repairs) the day. Runs inside the day step's last chunk transaction,
 * so a failure leaves the checkpoint before it and a restart publishes again.
 *
 * <p>Thread-safe (holds no day's state): one instance serves every day step of a run.
 */
public final class DayCompletion {

    private static final Logger log = LoggerFactory.getLogger(DayCompletion.class);

    private final JobDefinition job;
    private final PartitionLedger ledger;
    private final DayPublisher publisher;
    private final Storage storage;
    private final DatasetLayout layout;
    private final Progress progress;

    public DayCompletion(JobDefinition job, PartitionLedger ledger, DayPublisher publisher, Storage storage,
            DatasetLayout layout, Progress progress) {
        this.job = job;
        this.ledger = ledger;
        this.publisher = publisher;
        this.storage = storage;
        this.layout = layout;
        this.progress = progress;
    }

    /** Publishes {@code day} as of {@code done} (every part closed), converted from the body {@code body}. */
    public void complete(LocalDate day, DayCheckpoint done, SpoolManifest body) throws IOException {
        List<PartInfo> parts = done.parts();
        long rows = done.rows();
        long bytes = done.bytes();
        String runId = done.runId();
        String contentHash = LineHash.format(rows, done.hashSum());
        Optional<PartitionRecord> before = ledger.find(job.name(), day).filter(r -> r.publishedAt() != null);
        // a late-data re-fetch leaves an unchanged day alone; an operator's rerun always rewrites it (repairs)
        if (before.isPresent() && before.get().state() == PartitionState.PUBLISHED
                && contentHash.equals(before.get().contentHash())) {
            // a late-data re-fetch that found nothing new: the published day is left as it is
            for (PartInfo part : parts) {
                storage.delete(layout.staging(day).resolve(part.name()));
            }
            ledger.unchanged(job.name(), day, runId);
            progress.done(day);
            log.info("{}: unchanged ({} rows), not rewritten", day, rows);
            return;
        }
        long lateEvents = before.map(r -> rows - r.rows()).orElse(0L);
        DayManifest manifest = new DayManifest(ParquetSettings.SCHEMA_VERSION, job.name(), job.mixpanel().projectId(), day,
                job.mixpanel().timezone().getId(), runId, Instant.now(), rows, bytes, done.rejectedLines(), done.repairedLines(), parts,
                new DayManifest.Request(body.window(), job.export().timeInMs(), body.lines(), body.completedAt()),
                contentHash, lateEvents);
        publisher.publish(manifest);
        ledger.published(job.name(), day, runId, rows, parts.size(), bytes, done.rejectedLines(), body.decodedBytes(),
                contentHash);
        progress.done(day);
        log.info("{}: published {} rows in {} files ({} bytes), {} rejected lines, {} repaired{}", day, rows, parts.size(),
                bytes, done.rejectedLines(), done.repairedLines(),
                before.isPresent() ? ", " + lateEvents + " more than before (late data)" : "");
    }
}
