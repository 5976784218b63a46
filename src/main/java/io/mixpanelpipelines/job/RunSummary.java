package io.mixpanelpipelines.job;

import java.time.LocalDate;
import java.util.List;

/**
 * What a run did, for the console, {@code --summary-json} and the exit code.
 *
 * @param requests requests sent to Mixpanel by this run (retries included)
 * @param exitCode 0 all requested days published; 1 some failed; 2 unfixable by a retry; 75 deferred
 * @param budget the project's request budget at the end of the run
 */
public record RunSummary(String job, String runId, List<Day> days, int requests, int exitCode, String message,
        io.mixpanelpipelines.source.RequestBudget.Status budget) {

    /** One requested day's outcome. */
    public record Day(LocalDate day, String state, long rows, int files, long bytes, long rejectedLines,
            String error) {
    }

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int INVALID = 2;
    public static final int DEFERRED = 75;
}
