package io.mixpanelpipelines.warehouse;

/**
 * Loads the profile and identity datasets of issue 13 into a warehouse, next to the events table.
 *
 * <p>Tables, in the warehouse's schema: {@code people} and {@code groups_<data_group_id>}
 * ({@code distinct_id}, {@code properties}, {@code last_seen}: one row per distinct_id), and
 * {@code identity_mappings} ({@code distinct_id}, {@code resolved_distinct_id}, {@code first_seen}: one row
 * per distinct_id, the day candidate with the smallest {@code first_seen}, ties broken by the smallest
 * {@code resolved_distinct_id} in byte order), plus the view {@code events_resolved}: every column of the
 * events table and {@code resolved_distinct_id} = COALESCE(the mapping, the event's distinct_id).
 *
 * <p>Every method is <b>atomic</b> (readers in other sessions see the table before or after it, never a
 * mix or an empty table; a failure leaves it as it was) and <b>idempotent</b> (running it again with the
 * same folder leaves the same rows). A loader only reads the destination. Not thread-safe.
 */
public interface ProfileIdentityLoader extends AutoCloseable {

    /** Creates the tables and the view if missing. Called once before the first load of a command. */
    void prepare();

    /**
     * Checks that every Parquet file of the folder has exactly the dataset's columns, in order and with
     * their types ({@link DatasetColumns}).
     *
     * @throws WarehouseLoadException naming the file and what differs
     */
    void validate(DatasetFolder folder);

    /**
     * Replaces all rows of {@code table} ({@code people} or {@code groups_<id>}) with the snapshot's. A
     * distinct_id that appears more than once in a snapshot (a profile that moved between two of the
     * writer's queries) keeps its row with the latest {@code last_seen}.
     *
     * @return the rows the table holds afterwards
     */
    long replaceProfiles(String table, DatasetFolder snapshot);

    /** Upserts the rows of a {@code people_changes} folder into {@code table} by distinct_id; returns the rows merged. */
    long mergeProfiles(String table, DatasetFolder changes);

    /**
     * Replaces one day's identity candidates with the folder's and corrects {@code identity_mappings} for
     * every distinct_id the day held before or holds now, so the table equals the consolidation of all
     * loaded days afterwards, whatever the day held before.
     *
     * @return the candidate rows of the day
     */
    long loadIdentityDay(DatasetFolder day);

    /**
     * Removes the candidates of a day whose folder is gone from the destination and corrects
     * {@code identity_mappings} the same way.
     */
    void removeIdentityDay(java.time.LocalDate day);

    @Override
    void close();
}
