package io.mixpanelpipelines.job.day;

import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.dataset.DatasetLayout;
import io.mixpanelpipelines.dataset.DayManifest;
import io.mixpanelpipelines.dataset.DayPublisher;
import io.mixpanelpipelines.dataset.PartInfo;
import io.mixpanelpipelines.identity.DayIdentities;
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
 * so a failure leaves the checkpoint before it and a restart publishes again. A day spool that already
 * carries its content hash is found unchanged before it is converted ({@link #completeIfUnchanged}).
 *
 * <p>The day's identity mappings follow its events ({@link IdentityMaintenance}): staged before the events
 * are published, published right after them; an unchanged day keeps its mappings (or gets them, when it has
 * none derived from its current content).
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
    private final IdentityMaintenance identity;

    public DayCompletion(JobDefinition job, PartitionLedger ledger, DayPublisher publisher, Storage storage,
            DatasetLayout layout, Progress progress, IdentityMaintenance identity) {
        this.job = job;
        this.ledger = ledger;
        this.publisher = publisher;
        this.storage = storage;
        this.layout = layout;
        this.progress = progress;
        this.identity = identity;
    }

    /**
     * Before converting: when the day's spool carries the content hash its conversion would publish
     * ({@link SpoolManifest#contentHash}, known when it was split out of a window), no line of it would be
     * rejected and the hash is the published day's, leaves the day alone exactly as {@link #complete} would
     * after converting it, and says so; the spool then need not be converted at all.
     *
     * @param start the day's checkpoint, at the start of the body (nothing converted or staged yet)
     */
    public boolean completeIfUnchanged(LocalDate day, DayCheckpoint start, SpoolManifest body) throws IOException {
        Optional<PartitionRecord> before = unchangedBefore(day, start, body);
        if (before.isEmpty()) {
            return false;
        }
        leaveUnchanged(day, start.runId(), before.get().rows(), List.of());
        identity.keepCurrent(day, null); // nothing converted: from the published Parquet, if they are not current
        return true;
    }

    /** The published day that {@code body}'s content hash shows unchanged, if it does (nothing converted yet). */
    private Optional<PartitionRecord> unchangedBefore(LocalDate day, DayCheckpoint start, SpoolManifest body) {
        if (!start.parts().isEmpty() || !leavesUnchanged(ledger, job.name(), day, body)) {
            return Optional.empty();
        }
        return published(day);
    }

    /**
     * Whether a body hashed before its conversion ({@link SpoolManifest#contentHash}, e.g. a day split out of
     * a window, or the sum of a sliced day's hashed slices) shows the published day unchanged: then it need
     * not be converted. Step 2's partitioner asks it to give such a sliced day one partition that converts
     * nothing, instead of one per slice.
     */
    public static boolean leavesUnchanged(PartitionLedger ledger, String jobName, LocalDate day, SpoolManifest body) {
        if (body == null || body.contentHash() == null || body.unpublishableLines() == null || body.unpublishableLines() > 0) {
            return false;
        }
        return isUnchanged(published(ledger, jobName, day), body.contentHash());
    }

    private Optional<PartitionRecord> published(LocalDate day) {
        return published(ledger, job.name(), day);
    }

    private static Optional<PartitionRecord> published(PartitionLedger ledger, String jobName, LocalDate day) {
        return ledger.find(jobName, day).filter(r -> r.publishedAt() != null);
    }

    /**
     * The one place that decides whether a re-fetched day may be left alone: the content hash it must show to
     * be "unchanged" (by {@link #completeIfUnchanged}, {@link #sliceUnchanged} or {@link #complete}); empty
     * when it would be converted and published whatever its content (never published, or not in the
     * published state: an operator's rerun always rewrites, repairs, it). Step 1 asks it too, to know whether
     * a day's body is worth hashing before it is converted.
     */
    public static Optional<String> unchangedHash(PartitionLedger ledger, String jobName, LocalDate day) {
        return published(ledger, jobName, day).flatMap(DayCompletion::hashLeftAlone);
    }

    /** Whether content {@code contentHash} leaves the day as published before ({@link #unchangedHash}). */
    private static boolean isUnchanged(Optional<PartitionRecord> before, String contentHash) {
        return before.flatMap(DayCompletion::hashLeftAlone).map(contentHash::equals).orElse(false);
    }

    private static Optional<String> hashLeftAlone(PartitionRecord published) {
        return published.state() == PartitionState.PUBLISHED ? Optional.ofNullable(published.contentHash()) : Optional.empty();
    }

    /**
     * Whether events of content {@code contentHash} would be published by {@link #complete}, not left alone
     * as unchanged: then their mappings may be staged before the day's last part is closed.
     */
    boolean willPublish(LocalDate day, String contentHash) {
        return !isUnchanged(published(day), contentHash);
    }

    /** A late-data re-fetch that found nothing new: the published day is left as it is, staged parts go. */
    private void leaveUnchanged(LocalDate day, String runId, long rows, List<PartInfo> staged) throws IOException {
        for (PartInfo part : staged) {
            storage.delete(layout.staging(day).resolve(part.name()));
        }
        ledger.unchanged(job.name(), day, runId);
        progress.done(day);
        log.info("{}: unchanged ({} rows), not rewritten", day, rows);
    }

    /**
     * Publishes {@code day} as of {@code done} (every part closed), converted from the body {@code body}, and
     * {@code mappings}, the identity mappings of all its events, right after.
     */
    public void complete(LocalDate day, DayCheckpoint done, SpoolManifest body, DayIdentities mappings) throws IOException {
        complete(day, done, body, mappings, null);
    }

    /**
     * {@link #complete(LocalDate, DayCheckpoint, SpoolManifest, DayIdentities)}, with the mappings' staging
     * already started ({@link #willPublish}); null when it was not. The caller awaits it in any case.
     */
    void complete(LocalDate day, DayCheckpoint done, SpoolManifest body, DayIdentities mappings, IdentityStaging staging)
            throws IOException {
        List<PartInfo> parts = done.parts();
        long rows = done.rows();
        long bytes = done.bytes();
        String runId = done.runId();
        String contentHash = LineHash.format(rows, done.hashSum());
        if (staging != null && !staging.contentHash().equals(contentHash)) { // a bug: staged again below, for the parts
            log.warn("{}: identity mappings were staged for content {}, the closed parts hold {}; staging them again", day,
                    staging.contentHash(), contentHash);
            staging.awaitQuietly();
            staging = null;
        }
        Optional<PartitionRecord> before = published(day);
        if (isUnchanged(before, contentHash)) {
            if (staging != null) {
                staging.awaitQuietly(); // only the holder of the job's lock records; unchanged cannot follow willPublish
            }
            leaveUnchanged(day, runId, rows, parts);
            identity.keepCurrent(day, mappings);
            return;
        }
        long lateEvents = before.map(r -> rows - r.rows()).orElse(0L);
        DayManifest manifest = new DayManifest(ParquetSettings.SCHEMA_VERSION, job.name(), job.mixpanel().projectId(), day,
                job.mixpanel().timezone().getId(), runId, Instant.now(), rows, bytes, done.rejectedLines(), done.repairedLines(), parts,
                new DayManifest.Request(body.window(), job.export().timeInMs(), body.lines(), body.completedAt()),
                contentHash, lateEvents);
        if (staging != null) { // first: a crash after the events leaves them to publish
            staging.await();
        } else {
            identity.stage(day, contentHash, runId, mappings);
        }
        publisher.publish(manifest);
        ledger.published(job.name(), day, runId, rows, parts.size(), bytes, done.rejectedLines(), body.decodedBytes(),
                contentHash);
        identity.publishStaged(day);
        progress.done(day);
        log.info("{}: published {} rows in {} files ({} bytes), {} rejected lines, {} repaired{}", day, rows, parts.size(),
                bytes, done.rejectedLines(), done.repairedLines(),
                before.isPresent() ? ", " + lateEvents + " more than before (late data)" : "");
    }
}
