package io.mixpanelpipelines.state;

import java.time.Instant;
import java.time.LocalDate;

/**
 * One people snapshot as the state database has it.
 *
 * @param changesSince changes mode: profiles whose {@code $last_seen} is at or after this; null for a full snapshot
 * @param publishedAt null while in progress
 */
public record PeopleSnapshotRecord(String job, String dataset, LocalDate snapshotDate, boolean published,
        String changesSince, Instant startedAt, long rows, int files, long bytes, Instant publishedAt) {
}
