package io.mixpanelpipelines.dataset;

import io.mixpanelpipelines.storage.Location;
import java.time.LocalDate;

/**
 * Where a project's profiles go (issue 13's fixed layout, shared with the warehouse load):
 * {@code <root>/<projectId>/people/snapshot_date=YYYY-MM-DD/part-NNNNN.parquet}, the same under
 * {@code people_changes/} for changes mode and under {@code groups/<data_group_id>/} for group profiles,
 * each folder with a {@code _SUCCESS} written last: a folder without it is incomplete and never loaded.
 */
public record PeopleLayout(Location root, String projectId) {

    /** The dataset of full user-profile snapshots. */
    public static final String PEOPLE = "people";
    /** The dataset of changes mode: profiles whose {@code $last_seen} moved since the previous snapshot. */
    public static final String CHANGES = "people_changes";

    /** The dataset of a group type's profiles: {@code groups/<dataGroupId>}. */
    public static String group(String dataGroupId) {
        return "groups/" + dataGroupId;
    }

    /** The folder of one snapshot of {@code dataset}. */
    public Location snapshot(String dataset, LocalDate date) {
        return root.resolve(projectId).resolve(dataset.split("/")).resolve("snapshot_date=" + date);
    }

    public Location manifest(String dataset, LocalDate date) {
        return snapshot(dataset, date).resolve(DatasetLayout.MANIFEST);
    }

    /** A part's file name: {@code part-00000.parquet}. */
    public static String partName(int index) {
        return String.format("part-%05d.parquet", index);
    }
}
