package io.mixpanelpipelines.it.people;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.simulator.MixpanelSimulator;
import io.mixpanelpipelines.simulator.SimulatorRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The people section's options end to end, in-process against the simulator: changes mode and its full
 * snapshots, the filters passed through, group profiles, rare JSON values kept byte for byte, refused
 * credentials, and {@code status --json}.
 */
class PeopleOptionsIntegrationTests {

    @TempDir
    Path tmp;
    PeopleWorkspace w;

    @AfterEach
    void stop() {
        if (w != null) {
            w.sim.close();
        }
    }

    private PeopleWorkspace start(MixpanelSimulator.Builder builder, String... people) throws Exception {
        w = new PeopleWorkspace(tmp, builder, "jdbc:h2:file:" + tmp.resolve("state/db") + ";WRITE_DELAY=0", people);
        return w;
    }

    @Test
    void changesModeReadsOnlyTheProfilesSeenSinceTheLastSnapshotAndAFullOneEveryFullEvery() throws Exception {
        start(MixpanelSimulator.builder().profiles(2000), "mode: changes", "fullEvery: 7d");

        assertThat(w.exportPeople()).as(w.ws.lastErr).isZero();
        assertThat(w.published("people")).hasSize(1);
        assertThat(PeopleWorkspace.read(w.published("people").get(0))).isEqualTo(w.sim.expectedProfiles());

        w.clock.advance(Duration.ofDays(1));
        List<String> touched = w.sim.touchProfiles(10, w.clock.instant());
        int before = w.sim.engageRequests().size();
        assertThat(w.exportPeople()).as(w.ws.lastErr).isZero();

        assertThat(w.published("people_changes")).hasSize(1);
        Map<String, String> expected = new LinkedHashMap<>();
        touched.forEach(id -> expected.put(id, w.sim.expectedProfiles().get(id)));
        assertThat(PeopleWorkspace.read(w.published("people_changes").get(0))).isEqualTo(expected);
        assertThat(w.sim.engageRequests().subList(before, w.sim.engageRequests().size()))
                .as("one query: $last_seen since the last snapshot began, no 'not set' query")
                .allMatch(r -> r.params().get("where").startsWith("properties[\"$last_seen\"] >= \""));
        assertThat(w.sim.engageRequests().size() - before).isEqualTo(1);

        w.clock.advance(Duration.ofDays(7));
        assertThat(w.exportPeople()).as(w.ws.lastErr).isZero();
        assertThat(w.published("people")).as("a full snapshot again after fullEvery").hasSize(2);
        assertThat(PeopleWorkspace.read(w.published("people").get(1))).isEqualTo(w.sim.expectedProfiles());
    }

    @Test
    void cohortOutputPropertiesAndGroupsPassThrough() throws Exception {
        start(MixpanelSimulator.builder().profiles(2000), "filterByCohort: 10", "includeAllUsers: false",
                "outputProperties: [$name]", "groups: [company]");

        assertThat(w.exportPeople()).as(w.ws.lastOut + w.ws.lastErr).isZero();

        List<SimulatorRequest> users = w.served().stream().filter(r -> !r.params().containsKey("data_group_id")).toList();
        assertThat(users).isNotEmpty().allSatisfy(r -> {
            assertThat(r.params()).containsEntry("filter_by_cohort", "{\"id\": 10}").containsEntry("include_all_users", "false")
                    .containsEntry("output_properties", "[\"$name\",\"$last_seen\"]");
        });
        Map<String, String> people = PeopleWorkspace.read(w.published("people").get(0));
        assertThat(people).hasSize(200).containsKey("user-0").containsKey("user-1990").doesNotContainKey("user-1");
        assertThat(people.values()).allMatch(p -> p.startsWith("{\"$name\":") && !p.contains("$email"));
        Path groups = w.ws.export.resolve("123456/groups/company");
        try (Stream<Path> s = Files.list(groups)) {
            Path snapshot = s.filter(d -> Files.exists(d.resolve("_SUCCESS"))).findFirst().orElseThrow();
            assertThat(PeopleWorkspace.read(snapshot)).hasSize(200).containsKey("company-0");
        }
        assertThat(w.served().stream().filter(r -> "company".equals(r.params().get("data_group_id")))).isNotEmpty();
    }

    @Test
    void rareJsonValuesAreKeptByteForByte() throws Exception {
        List<String> values = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("../shared/testdata/json-test-suite/test_parsing"))) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("y_")).sorted().toList()) {
                values.add(new String(Files.readAllBytes(f), StandardCharsets.UTF_8));
            }
        }
        assertThat(values).hasSizeGreaterThan(90);
        start(MixpanelSimulator.builder().profiles(300).rareProfileValues(values));

        assertThat(w.exportPeople()).as(w.ws.lastOut + w.ws.lastErr).isZero();

        Map<String, String> read = PeopleWorkspace.read(w.published("people").get(0));
        assertThat(read).hasSize(300);
        for (int i = 0; i < values.size(); i++) {
            assertThat(read.get("user-" + i)).as("user-%d carries %s", i, values.get(i))
                    .isEqualTo(w.sim.expectedProfiles().get("user-" + i));
        }
    }

    @Test
    void refusedCredentialsFailClearlyWithoutTheSecret() throws Exception {
        start(MixpanelSimulator.builder().profiles(100));
        String wrong = "wrong-secret-" + System.nanoTime();
        w.ws.env.put("IT_SA_SECRET", wrong);

        int code = w.exportPeople();

        assertThat(code).isEqualTo(1);
        assertThat(w.ws.lastOut).contains("FAILED").contains("Mixpanel refused the credentials");
        assertThat(w.ws.lastOut + w.ws.lastErr).doesNotContain(wrong).doesNotContain(w.secret);
        assertThat(w.sim.engageRequests()).hasSize(1);
    }

    @Test
    void statusJsonShowsTheSnapshotInProgressAndTheQueryBudget() throws Exception {
        start(MixpanelSimulator.builder().profiles(5000), "requestsPerHour: 3");
        Path summary = tmp.resolve("summary.json");
        assertThat(w.ws.run("export", "--job", w.ws.jobFile.toString(), "--only", "people", "--summary-json",
                summary.toString())).isEqualTo(75);
        JsonNode run = JsonMapper.builder().build().readTree(summary.toFile());
        assertThat(run.get("exitCode").asInt()).isEqualTo(75);
        assertThat(run.get("people").get("requests").asInt()).isEqualTo(3);
        assertThat(run.get("people").get("datasets").get(0).get("state").asString()).isEqualTo("DEFERRED");
        assertThat(run.get("people").get("datasets").get(0).get("nextSlotAt").asString()).isNotBlank();

        assertThat(w.ws.run("status", "--json", "--job", w.ws.jobFile.toString())).as(w.ws.lastErr).isZero();

        JsonNode people = JsonMapper.builder().build().readTree(w.ws.lastOut).get("people");
        JsonNode d = people.get("datasets").get(0);
        assertThat(d.get("dataset").asString()).isEqualTo("people");
        assertThat(d.get("inProgress").get("pages").asInt()).isBetween(1, 3);
        assertThat(d.get("inProgress").get("profiles").asInt()).isBetween(1, 1000 * d.get("inProgress").get("pages").asInt());
        assertThat(d.get("lastComplete").isNull()).isTrue();
        assertThat(people.get("queryBudget").get("perHour").asInt()).isEqualTo(3);
        assertThat(people.get("queryBudget").get("remaining").asInt()).isZero();
        JsonNode root = JsonMapper.builder().build().readTree(w.ws.lastOut);
        assertThat(root.get("budget").get("usedLastHour").asInt()).as("the export budget is apart").isZero();

        assertThat(w.ws.run("plan", "--job", w.ws.jobFile.toString())).as(w.ws.lastErr).isZero();
        assertThat(w.ws.lastOut).contains("PEOPLE DATASET").contains("Query budget: 0 of 3");
    }
}
