package io.mixpanelpipelines.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.support.ExportWorkspace;
import io.mixpanelpipelines.support.ProfileIdentityFiles;
import io.mixpanelpipelines.support.ProfileIdentityFiles.Mapping;
import io.mixpanelpipelines.support.ProfileIdentityFiles.Profile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code load} of people and identity mappings through the command line, into DuckDB: by default every
 * dataset the destination holds, {@code --only} one of them, what it prints and writes to
 * {@code --summary-json}, and the exit code of an incomplete snapshot. Needs no Mixpanel.
 */
class LoadPeopleIdentityIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final LocalDate D1 = LocalDate.parse("2026-01-01");
    private static final Instant T = Instant.parse("2026-01-01T08:00:00Z");

    @TempDir
    Path tmp;
    ExportWorkspace ws;
    ProfileIdentityFiles files;
    String url;

    @BeforeEach
    void setUp() throws Exception {
        ws = new ExportWorkspace(tmp, Map.of("spring.datasource.url",
                "jdbc:h2:file:" + tmp.resolve("state/pipelines") + ";WRITE_DELAY=0"))
                .job("http://127.0.0.1:9", "UTC", ExportWorkspace.serviceAccountAuth());
        url = "jdbc:duckdb:" + tmp.resolve("a.duckdb");
        Files.writeString(ws.jobFile, "warehouse:\n  type: duckdb\n  url: " + url + "\n  table: mixpanel.events\n",
                StandardOpenOption.APPEND);
        files = new ProfileIdentityFiles(ws.export);
    }

    @Test
    void loadTakesEveryDatasetThatExistsAndOnlyNamesOne() throws Exception {
        files.profiles("people", D1, List.of(new Profile("u1", "{\"$name\":\"Ann\"}", T), new Profile("u2", "{}", null)), true);
        files.mappings(D1, List.of(new Mapping("$device:d1", "u1", T), new Mapping("d1", "u1", T)), true);

        assertThat(ws.run("load", "--job", ws.jobFile.toString())).as(ws.lastErr + ws.lastOut).isZero();
        assertThat(ws.lastOut).contains("events: 0 day(s) loaded into duckdb:mixpanel.events")
                .contains("people/identity: 2 folder(s) loaded, 4 rows")
                .containsPattern("people +2026-01-01 +LOADED +2 rows  duckdb:mixpanel.people")
                .containsPattern("identity_mappings +2026-01-01 +LOADED +2 rows  duckdb:mixpanel.identity_mappings");
        assertThat(count("mixpanel.people")).isEqualTo(2);
        assertThat(count("mixpanel.identity_mappings")).isEqualTo(2);

        Path summary = tmp.resolve("load.json");
        assertThat(ws.run("load", "--job", ws.jobFile.toString(), "--only", "people", "--summary-json", summary.toString()))
                .as(ws.lastErr).isZero();
        assertThat(ws.lastOut).doesNotContain("day(s) loaded").doesNotContain("identity_mappings")
                .containsPattern("people +2026-01-01 +UNCHANGED");
        JsonNode json = JSON.readTree(Files.readString(summary));
        assertThat(json.get("partitions")).isEmpty();
        assertThat(json.get("partitions").isNull()).as("no events partitions: the events were not loaded").isTrue();
        assertThat(json.get("target").isNull()).as("no events target").isTrue();
        assertThat(json.get("datasets")).hasSize(1);
        assertThat(json.get("datasets").get(0).get("dataset").asString()).isEqualTo("people");
        assertThat(json.get("datasets").get(0).get("outcome").asString()).isEqualTo("UNCHANGED");
        assertThat(json.get("datasets").get(0).get("target").asString()).isEqualTo("duckdb:mixpanel.people");

        files.mappings(D1, List.of(new Mapping("d1", "u7", T)), true);
        assertThat(ws.run("load", "--job", ws.jobFile.toString(), "--only", "identity")).as(ws.lastErr).isZero();
        assertThat(ws.lastOut).containsPattern("identity_mappings +2026-01-01 +LOADED +1 rows").doesNotContain("people ");
        assertThat(count("mixpanel.identity_mappings")).isEqualTo(1);

        assertThat(ws.run("load", "--job", ws.jobFile.toString(), "--json")).as(ws.lastErr).isZero();
        JsonNode printed = JSON.readTree(ws.lastOut);
        assertThat(printed.get("exitCode").asInt()).isZero();
        assertThat(printed.get("datasets")).extracting(d -> d.get("dataset").asString() + " " + d.get("outcome").asString())
                .containsExactly("people UNCHANGED", "identity_mappings UNCHANGED");

        assertThat(ws.run("load", "--job", ws.jobFile.toString(), "--only", "profiles")).isEqualTo(2);
    }

    @Test
    void anIncompleteSnapshotFailsTheLoadWithItsReason() throws Exception {
        files.profiles("people", D1, List.of(new Profile("u1", "{}", T)), false);

        assertThat(ws.run("load", "--job", ws.jobFile.toString())).isEqualTo(1);
        assertThat(ws.lastOut).containsPattern("people +- +FAILED")
                .contains("people/snapshot_date=2026-01-01 has no _SUCCESS").contains("run `load` again");
    }

    private long count(String table) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
