package io.mixpanelpipelines.warehouse;

import java.time.LocalDate;
import java.util.List;

/**
 * What a {@code load} did, for the console, {@code --summary-json} and the exit code.
 *
 * @param target {@code type:schema.table}
 * @param exitCode 0 every published day in range is loaded; 1 some loads failed (the next load retries them)
 */
public record LoadSummary(String job, String target, List<Day> days, int exitCode) {

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
