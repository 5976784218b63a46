package io.mixpanelpipelines.state;

import java.time.Instant;
import java.time.LocalDate;

/**
 * A day whose identity mappings are published.
 *
 * @param eventsContent the content of the published events they were derived from ({@link #contentOf})
 * @param rows the mappings in the day's file
 */
public record IdentityRecord(String jobName, LocalDate day, String eventsContent, long rows, Instant publishedAt) {

    /** What identifies a published events day's content: its content hash, or its run for a day without one. */
    public static String contentOf(PartitionRecord events) {
        return events.contentHash() != null ? events.contentHash() : "run-" + events.runId();
    }

    /** Whether these mappings were derived from the events as {@code events} records them now. */
    public boolean isCurrentFor(PartitionRecord events) {
        return eventsContent.equals(contentOf(events));
    }
}
