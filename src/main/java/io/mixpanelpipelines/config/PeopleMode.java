package io.mixpanelpipelines.config;

/** How a job reads people profiles ({@code people.mode}). */
public enum PeopleMode {
    /** Every run reads every profile into a new snapshot. */
    SNAPSHOT,
    /** Between full snapshots, only the profiles whose {@code $last_seen} moved, into {@code people_changes/}. */
    CHANGES
}
