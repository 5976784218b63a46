package io.mixpanelpipelines.warehouse;

import java.time.LocalDate;
import java.util.List;

/**
 * What a {@code load} did, for the console, {@code --summary-json} and the exit code.
 *
 * @param target {@code type:schema.table}
 * @param days the events' days
 * @param datasets the loads of the other datasets (people, group profiles, people changes, identity mappings)
 * @param exitCode 0 every published day in range is loaded; 1 some loads failed (the next load retries them)
 */
public record LoadSummary(String job, String target, List<Day> days, List<DatasetLoad> datasets, int exitCode) {

    /** Events only. */
    public LoadSummary(String job, String target, List<Day> days, int exitCode) {
        this(job, target, days, List.of(), exitCode);
    }

    /**
     * One folder of a profile or identity dataset, or the dataset as a whole when it failed before a folder.
     *
     * @param dataset {@code people}, {@code people_changes}, {@code groups/<id>} or {@code identity_mappings}
     * @param target {@code type:schema.table} it went into
     * @param date the folder's snapshot_date or date; null when the outcome concerns the whole dataset
     * @param outcome LOADED, UNCHANGED (that folder is already in the table), REMOVED (an identity day whose
     *        folder is gone left the table) or FAILED
     */
    public record DatasetLoad(String dataset, String target, LocalDate date, String outcome, long rows, long millis,
            String error) {
    }

    /** This summary followed by {@code more}'s dataset loads, failing if either failed. */
    public LoadSummary with(List<DatasetLoad> more) {
        List<DatasetLoad> all = new java.util.ArrayList<>(datasets);
        all.addAll(more);
        boolean failed = more.stream().anyMatch(d -> d.outcome().equals("FAILED"));
        return new LoadSummary(job, target, days, List.copyOf(all), failed ? 1 : exitCode);
    }

    /**
     * One day.
     *
     * @param outcome LOADED (loaded now), UNCHANGED (its manifest was already loaded), FAILED, or NOT_PUBLISHED
     */
    public record Day(LocalDate day, String outcome, long rows, long millis, String runId, String error) {

        public double rowsPerSecond() {
            return millis <= 0 ? 0 : rows * 1000.0 / millis;
        }
    }

    public long rowsLoaded() {
        return days.stream().filter(d -> d.outcome().equals("LOADED")).mapToLong(Day::rows).sum();
    }
}
