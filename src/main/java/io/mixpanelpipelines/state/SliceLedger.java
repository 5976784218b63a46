package io.mixpanelpipelines.state;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * The slices of a sliced day staged so far, each converted by a partition of its own, and which of them
 * assembles the day: the one whose {@link #staged} finds every slice of the day staged. Race-free across
 * threads and processes (the day's row is locked while a slice records itself), so that of two slices
 * staged at once exactly one assembles. Only slices staged by the same Spring Batch job instance count: a
 * new run converts every slice again. Implementations are thread-safe.
 */
public interface SliceLedger {

    /**
     * What a slice left in its day's staging area.
     *
     * @param slice the slice's label ({@code 2026-03-08T03-06})
     * @param parts its closed Parquet parts, {@code PartInfo.encode}d
     * @param hashSum the sum of its rows' line hashes
     * @param completedAt when its body was received
     */
    record StagedSlice(String slice, String runId, String parts, long hashSum, long rejectedLines,
            String firstRejection, long repairedLines, long bodyLines, long decodedBytes, Instant completedAt) {
    }

    /** Before a slice of {@code day} converts: makes sure the day has the row its slices lock. Commits on its own. */
    void opened(String jobName, LocalDate day, long jobInstanceId);

    /**
     * Records {@code slice} as staged for {@code day} by job instance {@code jobInstanceId} (replacing what it
     * recorded before) and answers whether the caller now assembles the day: every one of its
     * {@code sliceCount} slices is staged by that instance and no other slice claimed the assembly (a slice
     * that claimed it before, failed and runs again claims it again). Joins the caller's transaction (the
     * slice's last chunk), so the record commits with the slice's checkpoint, or not at all.
     */
    boolean staged(String jobName, LocalDate day, long jobInstanceId, StagedSlice slice, int sliceCount);

    /** The slices of {@code day} staged by job instance {@code jobInstanceId}, in label order. */
    List<StagedSlice> list(String jobName, LocalDate day, long jobInstanceId);

    /** Forgets the day's slices once it is published (joins the caller's transaction, if any). */
    void assembled(String jobName, LocalDate day);
}
