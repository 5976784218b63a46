package io.mixpanelpipelines.dataset;

import io.mixpanelpipelines.storage.Location;
import java.time.LocalDate;
import java.util.List;

/**
 * A published day as a loader sees it: its manifest and the exact files the manifest names (never a
 * listing of the folder, which can hold another run's files for a moment during a rerun).
 *
 * @param folder the day's folder, {@code <uri>/<projectId>/events/event_date=YYYY-MM-DD}
 */
public record PublishedDay(DayManifest manifest, Location folder) {

    public static PublishedDay of(DayManifest manifest, DatasetLayout layout) {
        return new PublishedDay(manifest, layout.day(manifest.eventDate()));
    }

    public LocalDate day() {
        return manifest.eventDate();
    }

    public long rows() {
        return manifest.rows();
    }

    /** The day's Parquet files, in the manifest's order. */
    public List<Location> files() {
        return manifest.files().stream().map(PartInfo::name).map(folder::resolve).toList();
    }
}
