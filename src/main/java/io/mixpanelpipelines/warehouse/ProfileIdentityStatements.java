package io.mixpanelpipelines.warehouse;

import java.util.List;

/**
 * The statements of a warehouse that reads the profile and identity files from the object store itself
 * (BigQuery, Snowflake, Redshift), built without a connection so tests compare them with golden files.
 * The tables and their rules are those of {@link ProfileIdentityLoader}.
 */
public interface ProfileIdentityStatements {

    /** Creates the tables, the loaders' staging tables and the {@code events_resolved} view if missing (autocommit). */
    List<String> prepare();

    /** Creates a group profile table like {@code people} if missing (autocommit). */
    List<String> prepareProfileTable(String table);

    /** Replaces every row of {@code table} with the snapshot's (one transaction; see {@link ProfileIdentityLoader#replaceProfiles}). */
    List<String> replaceProfiles(String table, DatasetFolder snapshot);

    /** Upserts a changes folder into {@code table} by distinct_id (one transaction). */
    List<String> mergeProfiles(String table, DatasetFolder changes);

    /**
     * Replaces a day's candidates and corrects {@code identity_mappings} (one transaction): the mappings of
     * the ids the day held or holds are deleted, then every id of {@code identity_mapping_days} left without
     * a mapping gets its earliest candidate again.
     */
    List<String> loadIdentityDay(DatasetFolder day);

    /** Like {@link #loadIdentityDay} for a day whose folder is gone: its candidates are deleted (one transaction). */
    List<String> removeIdentityDay(java.time.LocalDate day);

    /** How many rows {@code table} holds, or the day holds in {@code identity_mapping_days}, after a load. */
    String countRows(String table, DatasetFolder folder);
}
