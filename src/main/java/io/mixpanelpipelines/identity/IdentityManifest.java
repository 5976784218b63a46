package io.mixpanelpipelines.identity;

import java.time.Instant;
import java.time.LocalDate;

/**
 * The {@code _SUCCESS} of a day's identity mappings, written after its {@code part-00000.parquet}: which
 * published events the mappings were derived from, and how many rows the file holds.
 *
 * @param eventsContent the events' content the file was derived from: their content hash (as in the events'
 *     {@code _SUCCESS}), or {@code run-<runId>} for a day published before content hashes were kept
 */
public record IdentityManifest(int schemaVersion, String projectId, LocalDate eventDate, String eventsContent,
        String eventsRunId, long rows, Instant writtenAt) {

    public static final int SCHEMA_VERSION = 1;
}
