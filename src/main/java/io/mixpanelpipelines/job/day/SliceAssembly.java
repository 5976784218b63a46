package io.mixpanelpipelines.job.day;

import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.dataset.PartInfo;
import io.mixpanelpipelines.identity.DayIdentities;
import io.mixpanelpipelines.source.SpoolManifest;
import io.mixpanelpipelines.state.SliceLedger;
import io.mixpanelpipelines.state.SliceLedger.StagedSlice;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a slice's conversion: records the slice as staged ({@link SliceLedger}) and, when it was the
 * last of its day, assembles the day from every slice's staged parts and completes it as any other day
 * ({@link DayCompletion#complete}): one manifest listing the slices' parts in slice order, one content hash
 * (the row count and the sum of every line hash, so the same whichever slice finished first, and the same as
 * the day fetched in one request), the identity mappings of all its events (this slice's as converted, the
 * others' read back from their staged parts), {@code _SUCCESS} last. Exactly one slice assembles a day,
 * also when two are staged at once in different processes: the slice ledger decides under the day's row
 * lock. A failed assembly fails its slice's step only; that step, run again (a restart, another worker),
 * finds its slice staged and assembles again (publishing is idempotent).
 *
 * <p>Thread-safe (holds no day's state): one instance serves every slice step of a run.
 */
public final class SliceAssembly {

    private static final Logger log = LoggerFactory.getLogger(SliceAssembly.class);

    private final JobDefinition job;
    private final SliceLedger slices;
    private final DayCompletion completion;
    private final IdentityMaintenance identity;

    public SliceAssembly(JobDefinition job, SliceLedger slices, DayCompletion completion, IdentityMaintenance identity) {
        this.job = job;
        this.slices = slices;
        this.completion = completion;
        this.identity = identity;
    }

    /** Before the slice converts (outside any chunk transaction): its day's row, which its slices lock. */
    public void opened(SliceStep step) {
        slices.opened(job.name(), step.slice().day(), step.jobInstanceId());
    }

    /**
     * Records the slice converted up to {@code done} (every part closed) from {@code body}; assembles and
     * completes its day when it is the last slice staged.
     *
     * @param mappings the identity mappings of the slice's events converted by this step execution (the
     *     slice's parts closed before it was resumed are read back)
     * @return whether this slice completed the day (published it, or found it unchanged)
     */
    public boolean staged(SliceStep step, DayCheckpoint done, SpoolManifest body, DayIdentities mappings,
            List<PartInfo> partsBeforeOpen) throws IOException {
        LocalDate day = step.slice().day();
        StagedSlice mine = new StagedSlice(step.label(), done.runId(), PartInfo.encode(done.parts()), done.hashSum(),
                done.rejectedLines(), done.firstRejection(), done.repairedLines(), body.lines(), body.decodedBytes(),
                body.completedAt());
        if (!slices.staged(job.name(), day, step.jobInstanceId(), mine, step.daySlices().size())) {
            log.debug("{}: staged {} rows in {} files", step.label(), done.rows(), done.parts().size());
            return false;
        }
        List<StagedSlice> staged = slices.list(job.name(), day, step.jobInstanceId());
        List<PartInfo> parts = new ArrayList<>();
        List<PartInfo> notInMemory = new ArrayList<>(partsBeforeOpen);
        long hashSum = 0;
        long rejected = 0;
        long repaired = 0;
        long lines = 0;
        long decodedBytes = 0;
        String firstRejection = null;
        Instant completedAt = Instant.EPOCH;
        for (StagedSlice s : staged) { // in label order, which is the slices' order
            List<PartInfo> sliceParts = PartInfo.decode(s.parts());
            parts.addAll(sliceParts);
            if (!s.slice().equals(step.label())) {
                notInMemory.addAll(sliceParts);
            }
            hashSum += s.hashSum();
            rejected += s.rejectedLines();
            repaired += s.repairedLines();
            lines += s.bodyLines();
            decodedBytes += s.decodedBytes();
            firstRejection = firstRejection != null ? firstRejection
                    : s.firstRejection() == null ? null : s.slice() + " " + s.firstRejection();
            completedAt = s.completedAt().isAfter(completedAt) ? s.completedAt() : completedAt;
        }
        long maxRejected = job.export().maxRejectedLines();
        if (rejected > maxRejected) {
            throw new PartitionFailedException(day + ": " + rejected + " malformed line(s) in its " + staged.size()
                    + " slices exceed export.maxRejectedLines=" + maxRejected + "; first: " + firstRejection);
        }
        DayCheckpoint whole = new DayCheckpoint(done.runId(), step.window(), parts, decodedBytes, lines + 1, rejected,
                0, 0, firstRejection, hashSum, false, repaired, 0);
        SpoolManifest dayBody = new SpoolManifest(step.window(), body.encoding(), 0, lines, decodedBytes, completedAt);
        // the other slices' events were converted by other steps: their mappings are read back from their parts
        // into this slice's candidates (which spill to disk past their bound: the day's size does not matter)
        if (!notInMemory.isEmpty()) {
            identity.addStagedParts(day, notInMemory, mappings);
        }
        log.info("{}: the last of its {} slices staged; assembling the day", step.label(), staged.size());
        completion.complete(day, whole, dayBody, mappings);
        slices.assembled(job.name(), day);
        return true;
    }
}
