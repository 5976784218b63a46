package io.mixpanelpipelines.state;

import java.time.Instant;
import java.time.LocalDate;

/** A row of the partition ledger: one day of one job. */
public record PartitionRecord(String jobName, LocalDate day, PartitionState state, long rows, int files, long bytes,
        long rejectedLines, int attempts, String lastError, String runId, Instant updatedAt, Instant publishedAt) {
}
