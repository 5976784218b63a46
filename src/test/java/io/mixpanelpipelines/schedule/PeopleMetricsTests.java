package io.mixpanelpipelines.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.config.JobDefinitionLoader;
import io.mixpanelpipelines.people.PeopleRunSummary;
import io.mixpanelpipelines.source.RequestBudget;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's people meters ({@link ExportMetrics#recordPeople}): pages, profiles, Query requests, runs of
 * each dataset by outcome and the Query budget left, tagged like the events' meters; none without a
 * {@code people} section.
 */
class PeopleMetricsTests {

    private static final String JOB = """
            name: sched-people
            mixpanel:
              projectId: "42"
              auth:
                serviceAccount:
                  usernameEnv: SA_USER
                  secretEnv: SA_SECRET
            export:
              startDate: 2026-01-01
            destination:
              uri: /tmp/out
            """;

    private static PeopleRunSummary run(String state, int pages, long profiles, int requests, int remaining) {
        LocalDate d = LocalDate.parse("2026-03-01");
        return new PeopleRunSummary(List.of(new PeopleRunSummary.Dataset("people", d, state, pages, profiles, 0, 0, null, null),
                new PeopleRunSummary.Dataset("groups/company", d, PeopleRunSummary.UP_TO_DATE, 0, 0, 10, 1, null, null)),
                requests, 0, new RequestBudget.Status(50 - remaining, 50, Instant.EPOCH));
    }

    @Test
    void peopleRunsAddUpPerDatasetAndOutcome() {
        JobDefinition job = new JobDefinitionLoader().parse(JOB + "people:\n  groups: [company]\n");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ExportMetrics metrics = new ExportMetrics(registry, job, null, () -> null, Clock.systemUTC());
        assertThat(registry.get("mixpanel.pipelines.people.budget.remaining").gauge().value()).isNaN();

        metrics.recordPeople(run(PeopleRunSummary.DEFERRED, 10, 10_000, 11, 0));
        metrics.recordPeople(run(PeopleRunSummary.PUBLISHED, 7, 6_500, 7, 43));

        String[] people = {"job", "sched-people", "project", "42", "dataset", "people"};
        assertThat(registry.get("mixpanel.pipelines.people.pages.read").tags(people).counter().count()).isEqualTo(17);
        assertThat(registry.get("mixpanel.pipelines.people.profiles.read").tags(people).counter().count()).isEqualTo(16_500);
        assertThat(registry.get("mixpanel.pipelines.people.snapshots").tags(people).tag("outcome", "deferred").counter().count())
                .isEqualTo(1);
        assertThat(registry.get("mixpanel.pipelines.people.snapshots").tags(people).tag("outcome", "published").counter().count())
                .isEqualTo(1);
        assertThat(registry.get("mixpanel.pipelines.people.snapshots").tag("dataset", "groups/company")
                .tag("outcome", "up_to_date").counter().count()).isEqualTo(2);
        assertThat(registry.get("mixpanel.pipelines.people.requests.sent").tags("job", "sched-people", "project", "42")
                .counter().count()).isEqualTo(18);
        assertThat(registry.get("mixpanel.pipelines.people.budget.remaining").gauge().value()).isEqualTo(43);
    }

    @Test
    void aJobWithoutPeopleHasNoPeopleMeters() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ExportMetrics metrics = new ExportMetrics(registry, new JobDefinitionLoader().parse(JOB), null, () -> null, Clock.systemUTC());

        metrics.recordPeople(run(PeopleRunSummary.PUBLISHED, 1, 5, 1, 49));

        assertThat(registry.find("mixpanel.pipelines.people.pages.read").meters()).isEmpty();
        assertThat(registry.find("mixpanel.pipelines.people.requests.sent").meters()).isEmpty();
    }
}
