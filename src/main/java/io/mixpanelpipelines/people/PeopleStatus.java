package io.mixpanelpipelines.people;

import io.mixpanelpipelines.source.RequestBudget;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * Where a job's people datasets stand, for {@code status} and {@code plan}.
 *
 * @param budget the project's Query API budget now
 */
public record PeopleStatus(List<Dataset> datasets, RequestBudget.Status budget) {

    /**
     * @param inProgressDate the snapshot being read (null: none)
     * @param queriesDone and {@code queries}: the in-progress snapshot's finished and total independent queries
     * @param pagesSoFar and {@code profilesSoFar}: pages and profiles the in-progress snapshot has spooled
     * @param lastDate the last complete (published) snapshot (null: none yet)
     */
    public record Dataset(String dataset, LocalDate inProgressDate, Instant inProgressSince, int queriesDone, int queries,
            int pagesSoFar, long profilesSoFar, LocalDate lastDate, long lastRows, int lastFiles, Instant lastPublishedAt) {
    }

    public PeopleStatus {
        datasets = List.copyOf(datasets);
    }
}
