package io.mixpanelpipelines.dataset;

import io.mixpanelpipelines.storage.Location;
import java.time.LocalDate;

/**
 * Where a project's files go: {@code <root>/<projectId>/events/event_date=YYYY-MM-DD/} for published days,
 * and {@code <root>/<projectId>/_staging/events/event_date=YYYY-MM-DD/} for parts still being written,
 * outside the dataset so that no reader globbing {@code events/} sees them.
 */
public record DatasetLayout(Location root, String projectId) {

    public static final String MANIFEST = "_SUCCESS";

    public Location events() {
        return root.resolve(projectId, "events");
    }

    public Location day(LocalDate day) {
        return events().resolve("event_date=" + day);
    }

    public Location manifest(LocalDate day) {
        return day(day).resolve(MANIFEST);
    }

    public Location staging(LocalDate day) {
        return root.resolve(projectId, "_staging", "events", "event_date=" + day);
    }

    /**
     * Where the lines a remote worker could not publish go ({@code <root>/<projectId>/_rejected/}), with the
     * originals of the lines it repaired in {@code _repaired/}: the worker's own disk is no one else's.
     */
    public Location rejected() {
        return root.resolve(projectId, "_rejected");
    }

    public Location repaired() {
        return root.resolve(projectId, "_repaired");
    }

    /** A part's file name: {@code part-00000-<run>.parquet}. */
    public static String partName(int index, String runId) {
        return String.format("part-%05d-%s.parquet", index, runId);
    }
}
