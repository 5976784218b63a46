package io.mixpanelpipelines.it.warehouse;

import io.mixpanelpipelines.support.ExportWorkspace;
import io.mixpanelpipelines.support.StaticExportServer;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Export then load, end to end through the command line, against a stand-in Mixpanel serving fixed days
 * and a real warehouse (one subclass per warehouse): the table holds exactly the served events per
 * {@code event_date}; a second load changes nothing; a re-export with late events replaces that day only.
 */
abstract class AbstractWarehouseIntegrationTests {

    static final String[] DAYS = {"2026-01-01", "2026-01-02", "2026-01-03"};
    static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path tmp;
    StaticExportServer server;
    ExportWorkspace ws;
    final Map<String, List<String>> served = new TreeMap<>();

    /** The {@code warehouse:} section (its lines, indented under it). */
    abstract String warehouseSection(Path tmp) throws Exception;

    /** The table's rows per day, each {@code event_name|insert_id|time micros}. */
    abstract Map<LocalDate, List<String>> table() throws Exception;

    /** Something that changes when a day's rows are rewritten without changing (PostgreSQL: partition names). */
    String physicalState() throws Exception {
        return "";
    }

    @BeforeEach
    void setUp() throws Exception {
        server = new StaticExportServer();
        ws = new ExportWorkspace(tmp, Map.of("spring.datasource.url", "jdbc:h2:file:" + tmp.resolve("state/db") + ";WRITE_DELAY=0"))
                .job(server.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(), "daysPerRequest: 1");
        Files.writeString(ws.jobFile, "warehouse:\n" + warehouseSection(tmp).indent(2), StandardOpenOption.APPEND);
        ws.env.put("IT_SA_USER", "u");
        ws.env.put("IT_SA_SECRET", "s");
        for (String day : DAYS) {
            serve(day, lines(day, 0, 1500 + day.hashCode() % 100));
        }
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    static List<String> lines(String day, int from, int to) {
        long t0 = LocalDate.parse(day).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add("{\"event\":\"E" + (i % 4) + "\",\"properties\":{\"time\":" + (t0 + i * 997L) + ",\"distinct_id\":\"u"
                    + (i % 37) + "\",\"$insert_id\":\"" + day + "-" + i + "\",\"tab\":\"a\\tb\\\\c\\nd\",\"n\":" + i
                    // legal values that broke warehouse loads (issue 16): NUL, a lone surrogate, numbers beyond
                    // int64 and double, duplicate keys
                    + ",\"nul\":\"a\\u0000b\",\"big\":-170141183460469231731687303715884105729,\"huge\":1e400"
                    + ",\"dup\":1,\"dup\":2" + (i % 5 == 0 ? ",\"cut\":\"\\ud83d\"" : "") + "}}");
        }
        return out;
    }

    void serve(String day, List<String> lines) {
        served.put(day, lines);
        server.serve(day, String.join("\n", lines) + "\n");
    }

    Map<LocalDate, List<String>> expected() {
        Map<LocalDate, List<String>> m = new TreeMap<>();
        served.forEach((day, lines) -> {
            List<String> rows = new ArrayList<>();
            for (String l : lines) {
                JsonNode n = JSON.readTree(l);
                rows.add(n.get("event").asString() + "|" + n.get("properties").get("$insert_id").asString() + "|"
                        + n.get("properties").get("time").asLong() * 1000);
            }
            rows.sort(null);
            m.put(LocalDate.parse(day), rows);
        });
        return m;
    }

    Map<LocalDate, List<String>> sortedTable() throws Exception {
        Map<LocalDate, List<String>> m = new TreeMap<>();
        table().forEach((d, rows) -> {
            List<String> r = new ArrayList<>(rows);
            r.sort(null);
            m.put(d, r);
        });
        return m;
    }

    @Test
    void exportLoadsThreeDaysExactlyALoadAgainChangesNothingAndLateDataReplacesOneDay() throws Exception {
        assertThat(ws.export(DAYS[0], DAYS[2])).as(ws.lastErr + ws.lastOut).isZero();
        assertThat(ws.lastOut).contains("3 day(s) loaded");
        assertThat(sortedTable()).isEqualTo(expected());
        String before = physicalState();

        assertThat(ws.run("load", "--job", ws.jobFile.toString())).as(ws.lastErr + ws.lastOut).isZero();

        assertThat(ws.lastOut).contains("0 day(s) loaded").contains("UNCHANGED");
        assertThat(sortedTable()).isEqualTo(expected());
        assertThat(physicalState()).as("nothing was rewritten").isEqualTo(before);
        int requests = server.requests.get();

        List<String> late = new ArrayList<>(served.get(DAYS[1]));
        late.addAll(lines(DAYS[1], 5000, 5040));
        serve(DAYS[1], late);
        assertThat(ws.run("rerun", "--job", ws.jobFile.toString(), "--partition", DAYS[1])).as(ws.lastErr + ws.lastOut).isZero();
        assertThat(ws.run("load", "--job", ws.jobFile.toString())).as(ws.lastErr + ws.lastOut).isZero();

        assertThat(ws.lastOut).contains("1 day(s) loaded").contains(DAYS[1] + "  LOADED");
        assertThat(server.requests.get()).isEqualTo(requests + 1);
        assertThat(sortedTable()).isEqualTo(expected());
        assertThat(sortedTable().get(LocalDate.parse(DAYS[1]))).hasSize(late.size());
    }

    @Test
    void statusIsASensorForPublishedAndLoadedDays() throws Exception {
        assertThat(ws.run("export", "--job", ws.jobFile.toString(), "--from", DAYS[0], "--to", DAYS[0], "--no-load"))
                .as(ws.lastErr).isZero();

        assertThat(ws.run("status", "--job", ws.jobFile.toString(), "--partition", DAYS[0], "--json")).isZero();
        JsonNode s = JSON.readTree(ws.lastOut);
        assertThat(s.get("state").asString()).isEqualTo("PUBLISHED");
        assertThat(s.get("warehouse").get("loaded").asBoolean()).isFalse();
        assertThat(ws.run("status", "--job", ws.jobFile.toString(), "--partition", DAYS[0], "--json", "--loaded"))
                .as("published, not loaded").isEqualTo(75);
        assertThat(ws.run("status", "--job", ws.jobFile.toString(), "--partition", DAYS[1], "--json"))
                .as("never exported").isEqualTo(75);

        Path summary = tmp.resolve("load.json");
        assertThat(ws.run("load", "--job", ws.jobFile.toString(), "--from", DAYS[0], "--to", DAYS[0], "--summary-json",
                summary.toString())).as(ws.lastErr).isZero();

        assertThat(JSON.readTree(Files.readString(summary)).get("rowsLoaded").asLong()).isEqualTo(served.get(DAYS[0]).size());
        assertThat(ws.run("status", "--job", ws.jobFile.toString(), "--partition", DAYS[0], "--json", "--loaded")).isZero();
        assertThat(JSON.readTree(ws.lastOut).get("ready").asBoolean()).isTrue();
    }
}
