package io.mixpanelpipelines.warehouse;

import io.mixpanelpipelines.storage.Location;
import java.time.LocalDate;
import java.util.List;

/**
 * One dated folder of a profile or identity dataset as the writers of issue 13 publish it:
 * {@code people/snapshot_date=YYYY-MM-DD/}, {@code people_changes/snapshot_date=...},
 * {@code groups/<data_group_id>/snapshot_date=...} or {@code identity_mappings/date=YYYY-MM-DD/}.
 *
 * @param dataset {@code people}, {@code people_changes}, {@code groups/<id>} or {@code identity_mappings}
 * @param files its Parquet files, sorted by name
 * @param complete whether it holds {@code _SUCCESS} (written last by its writer); an incomplete folder is
 *        never loaded
 * @param fingerprint 32 hex digits that change whenever the folder is republished with other content
 *        (see {@link DatasetFolders}); what the load ledger records as the folder's content hash
 */
public record DatasetFolder(String dataset, LocalDate date, Location folder, List<Location> files, boolean complete,
        String fingerprint) {

    /** An identity day whose folder is gone: no files, so loading it removes the day's candidates. */
    public static DatasetFolder gone(LocalDate day) {
        return new DatasetFolder(DatasetFolders.IDENTITY, day, null, List.of(), true, "");
    }

    /** A label for messages and temporary file names: {@code people-2026-01-02}. */
    public String label() {
        return dataset.replace('/', '-') + "-" + date;
    }
}
