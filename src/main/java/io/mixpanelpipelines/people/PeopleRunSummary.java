package io.mixpanelpipelines.people;

import io.mixpanelpipelines.source.RequestBudget;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * What a run did to the people datasets, for the console, {@code --summary-json} and the exit code.
 *
 * @param requests Query API requests this run sent (retries included)
 * @param exitCode 0 every dataset published or already up to date; 75 deferred (budget spent: the
 *     snapshot continues in the next run); 1 failed
 * @param budget the project's Query API budget at the end of the run
 */
public record PeopleRunSummary(List<Dataset> datasets, int requests, int exitCode, RequestBudget.Status budget) {

    /** Publishing states of a dataset in a run. */
    public static final String PUBLISHED = "PUBLISHED";
    public static final String UP_TO_DATE = "UP_TO_DATE";
    public static final String DEFERRED = "DEFERRED";
    public static final String FAILED = "FAILED";
    /** Stopped on request (SIGINT/SIGTERM) between two pages; the exit code is then the command's (130/143). */
    public static final String STOPPED = "STOPPED";

    /**
     * @param pages engage pages this run read for the dataset
     * @param profiles profiles in them
     * @param rows rows of the published snapshot (0 unless published)
     * @param nextSlotAt when deferred: when the Query budget has room again
     */
    public record Dataset(String dataset, LocalDate snapshotDate, String state, int pages, long profiles, long rows,
            int files, String message, Instant nextSlotAt) {
    }

    public PeopleRunSummary {
        datasets = List.copyOf(datasets);
    }
}
