package io.mixpanelpipelines.config;

import java.time.Duration;
import java.util.List;

/**
 * Checks the {@code people} section of a job file, reporting to the {@link JobFileErrors} of the
 * {@link JobFileChecks} it belongs to.
 */
final class PeopleChecks {

    private final JobFileChecks checks;

    PeopleChecks(JobFileChecks checks) {
        this.checks = checks;
    }

    JobDefinition.People people(JobFile.People p) {
        Long cohort = null;
        if (p.filterByCohort() != null) {
            try {
                cohort = Long.parseLong(p.filterByCohort());
                if (cohort < 1) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                checks.errors.add("people.filterByCohort", "'" + p.filterByCohort() + "' must be a cohort's numeric id");
            }
        }
        if (p.includeAllUsers() != null && cohort == null && p.filterByCohort() == null) {
            checks.errors.add("people.includeAllUsers", "applies only with people.filterByCohort (as in Mixpanel's engage API)");
        }
        Duration fullEvery = checks.positive("people.fullEvery", p.fullEvery());
        if (!fullEvery.isNegative() && !fullEvery.isZero() && fullEvery.compareTo(Duration.ofDays(1)) < 0) {
            checks.errors.add("people.fullEvery", "must be at least 1d (one snapshot per day)");
        }
        List<String> groups = p.groups() == null ? List.of() : p.groups();
        for (String g : groups) {
            if (!g.matches("[A-Za-z0-9._-]{1,64}")) {
                checks.errors.add("people.groups", "'" + g + "' must be a data_group_id (letters, digits, '.', '-', '_')");
            }
        }
        if (groups.size() != groups.stream().distinct().count()) {
            checks.errors.add("people.groups", "lists a data_group_id twice");
        }
        return new JobDefinition.People((int) checks.range("people.requestsPerHour", p.requestsPerHour(), 1, 60),
                (int) checks.range("people.maxConcurrentRequests", p.maxConcurrentRequests(), 1, 5), p.mode(), fullEvery,
                p.outputProperties() == null ? List.of() : p.outputProperties(), cohort, p.includeAllUsers(), groups,
                (int) checks.range("people.maxPagesPerQuery", p.maxPagesPerQuery(), 1, 1000));
    }
}
