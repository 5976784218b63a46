package io.mixpanelpipelines.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code people} section: defaults, every key, exact keys and clear errors for bad values. */
class PeopleSectionTests {

    private static final String JOB = """
            name: j
            mixpanel:
              projectId: "1"
              region: eu
              auth:
                serviceAccount:
                  usernameEnv: SA_USER
                  secretEnv: SA_SECRET
            export:
              startDate: 2026-01-01
            destination:
              uri: /tmp/out
            """;

    private final JobDefinitionLoader loader = new JobDefinitionLoader();

    @Test
    void withoutTheSectionThereAreNoPeople() {
        assertThat(loader.parse(JOB).people()).isNull();
    }

    @Test
    void anEmptySectionTakesTheDefaults() {
        JobDefinition job = loader.parse(JOB + "people: {}\n");
        assertThat(job.people()).isEqualTo(new JobDefinition.People(50, 3, PeopleMode.SNAPSHOT, Duration.ofDays(7), List.of(),
                null, null, List.of(), 20));
        assertThat(job.mixpanel().queryUrl()).isEqualTo(URI.create("https://eu.mixpanel.com"));
    }

    @Test
    void aSectionWithOnlyCommentsUnderItTakesTheDefaults() {
        JobDefinition job = loader.parse(JOB + "people:\n  # defaults for now\n  # requestsPerHour: 20\n");
        assertThat(job.people()).isEqualTo(new JobDefinition.People(50, 3, PeopleMode.SNAPSHOT, Duration.ofDays(7), List.of(),
                null, null, List.of(), 20));
    }

    @Test
    void aDurationWithoutAUnitAsksForOneLikeEveryDurationKey() {
        assertThatThrownBy(() -> loader.parse(JOB + "people:\n  fullEvery: 7\n"))
                .hasMessageContaining("people.fullEvery: '7' has no unit: write it with one, such as 7d")
                .hasMessageNotContaining("at least 1d");
        assertThatThrownBy(() -> loader.parse(JOB.replace("startDate: 2026-01-01", "startDate: 2026-01-01\n  maxBackoff: 5")))
                .hasMessageContaining("export.maxBackoff: '5' has no unit");
    }

    @Test
    void everyKeyIsRead() {
        JobDefinition job = loader.parse(JOB + """
                people:
                  requestsPerHour: 10
                  maxConcurrentRequests: 5
                  mode: changes
                  fullEvery: 14d
                  outputProperties: [$email, plan]
                  filterByCohort: 1234
                  includeAllUsers: false
                  groups: [company]
                  maxPagesPerQuery: 5
                """);
        assertThat(job.people()).isEqualTo(new JobDefinition.People(10, 5, PeopleMode.CHANGES, Duration.ofDays(14),
                List.of("$email", "plan"), 1234L, false, List.of("company"), 5));
    }

    @Test
    void badValuesAreAllReportedWithTheirKeys() {
        assertThatThrownBy(() -> loader.parse(JOB + """
                people:
                  requestsPerHour: 61
                  maxConcurrentRequests: 6
                  mode: sometimes
                  fullEvery: 1h
                  outputProperties: plan
                  filterByCohort: abc
                  includeAllUsers: yes
                  groups: ["a b"]
                  requestsPerhour: 3
                """)).isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("people.requestsPerHour: 61 is out of range [1, 60]")
                .hasMessageContaining("people.maxConcurrentRequests: 6 is out of range [1, 5]")
                .hasMessageContaining("people.mode")
                .hasMessageContaining("people.outputProperties: must be a list of property names")
                .hasMessageContaining("people.includeAllUsers: 'yes' must be true or false")
                .hasMessageContaining("people.requestsPerhour: unknown key");
        assertThatThrownBy(() -> loader.parse(JOB + "people:\n  fullEvery: 1h\n  filterByCohort: abc\n  groups: [\"a b\"]\n"))
                .hasMessageContaining("people.fullEvery: must be at least 1d")
                .hasMessageContaining("people.filterByCohort: 'abc' must be a cohort's numeric id")
                .hasMessageContaining("people.groups: 'a b' must be a data_group_id");
        assertThatThrownBy(() -> loader.parse(JOB + "people:\n  includeAllUsers: true\n"))
                .hasMessageContaining("people.includeAllUsers: applies only with people.filterByCohort");
    }
}
