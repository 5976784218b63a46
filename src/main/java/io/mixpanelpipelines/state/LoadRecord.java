package io.mixpanelpipelines.state;

import java.time.Instant;
import java.time.LocalDate;

/**
 * A row of the load ledger: the manifest last loaded for one day of one job into one warehouse table.
 *
 * @param target {@code type:schema.table}
 * @param runId and {@code contentHash}: the loaded manifest's, compared with the published one
 */
public record LoadRecord(String jobName, LocalDate day, String target, String runId, String contentHash,
        long rows, long millis, Instant loadedAt) {
}
