package io.mixpanelpipelines.state;

import java.time.Instant;
import java.time.LocalDate;

/**
 * A row of the partition ledger: one day of one job.
 *
 * @param sourceBytes the decoded size of the day's lines in Mixpanel's export (sizes multi-day requests)
 * @param contentHash an order-independent hash of the day's published lines (tells a changed re-fetch)
 */
public record PartitionRecord(String jobName, LocalDate day, PartitionState state, long rows, int files, long bytes,
        long rejectedLines, int attempts, String lastError, String runId, Instant updatedAt, Instant publishedAt,
        long sourceBytes, String contentHash) {
}
