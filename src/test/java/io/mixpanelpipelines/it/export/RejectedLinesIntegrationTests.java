package io.mixpanelpipelines.it.export;

import io.mixpanelpipelines.support.ExportWorkspace;
import io.mixpanelpipelines.support.ParquetAssertions;
import io.mixpanelpipelines.support.StaticExportServer;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Malformed lines are never dropped silently: they are kept, counted, and fail the day past the limit. */
public class RejectedLinesIntegrationTests {

    public static final String DAY = "2026-02-01";
    static final long T0 = LocalDate.parse(DAY).toEpochDay() * 86_400_000L;

    @TempDir
    Path tmp;
    StaticExportServer server;
    ExportWorkspace ws;

    @BeforeEach
    void setUp() throws Exception {
        server = new StaticExportServer();
        ws = new ExportWorkspace(tmp, Map.of("spring.datasource.url",
                "jdbc:h2:file:" + tmp.resolve("state/pipelines") + ";WRITE_DELAY=0"));
        ws.env.put("IT_SA_USER", "u");
        ws.env.put("IT_SA_SECRET", "s");
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    public static String event(int i) {
        return "{\"event\":\"E" + i + "\",\"properties\":{\"time\":" + (T0 + i * 1000L) + ",\"distinct_id\":\"u" + i
                + "\",\"$insert_id\":\"id-" + i + "\"}}";
    }

    static List<String> body() {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            lines.add(event(i));
        }
        lines.add(2, "{\"event\":\"Broken\",\"properties\":{\"time\":");         // line 3: truncated JSON
        lines.add(5, "{\"event\":\"NoTime\",\"properties\":{\"distinct_id\":\"x\"}}"); // line 6: no time
        lines.add(8, "{\"event\":\"Tomorrow\",\"properties\":{\"time\":" + (T0 + 86_400_000L + 5) + "}}"); // line 9: next day
        return lines;
    }

    @Test
    void malformedLinesFailTheDayByDefaultNamingTheFirstLineAndKeepingThemAll() throws Exception {
        server.serve(DAY, String.join("\n", body()) + "\n");
        ws.job(server.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth());

        int code = ws.export(DAY, DAY);

        assertThat(code).isEqualTo(1);
        assertThat(ws.lastOut).contains("FAILED").contains("3 malformed line(s) exceed export.maxRejectedLines=0")
                .contains("first: line 3");
        assertThat(ws.day(DAY).resolve("_SUCCESS")).doesNotExist();
        Path rejected = tmp.resolve("spool/it-events/_rejected");
        assertThat(Files.readAllLines(rejected.resolve(DAY + ".lines"))).containsExactly(body().get(2), body().get(5), body().get(8));
        List<String> reasons = Files.readAllLines(rejected.resolve(DAY + ".reasons"));
        assertThat(reasons).hasSize(3);
        assertThat(reasons.get(0)).startsWith("3\t");
        assertThat(reasons.get(1)).startsWith("6\t").contains("time");
        assertThat(reasons.get(2)).startsWith("9\t").contains("outside the requested day");

        // the same command again uses the spool (no request) and fails the same way, recording nothing twice
        int requests = server.requests.get();
        assertThat(ws.export(DAY, DAY)).isEqualTo(1);
        assertThat(server.requests.get()).isEqualTo(requests);
        assertThat(Files.readAllLines(rejected.resolve(DAY + ".reasons"))).hasSize(3);
    }

    @Test
    void rerunFailedExportsTheFailedDaysAgain() throws Exception {
        server.serve(DAY, String.join("\n", body()) + "\n");
        ws.job(server.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth());
        assertThat(ws.export(DAY, DAY)).isEqualTo(1);
        ws.job(server.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(), "maxRejectedLines: 3");

        assertThat(ws.run("rerun", "--job", ws.jobFile.toString(), "--failed")).as(ws.lastErr).isZero();

        assertThat(server.requests.get()).as("an operator's rerun fetches the day afresh").isEqualTo(2);
        assertThat(ws.day(DAY).resolve("_SUCCESS")).isRegularFile();
        assertThat(ws.run("rerun", "--job", ws.jobFile.toString(), "--failed")).isZero();
        assertThat(ws.lastOut).contains("no failed days to rerun");
    }

    @Test
    void withinTheLimitTheDayIsPublishedAndTheManifestCountsThem() throws Exception {
        server.serve(DAY, String.join("\n", body()));  // and no newline after the last line
        ws.job(server.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(), "maxRejectedLines: 3");

        assertThat(ws.export(DAY, DAY)).as(ws.lastErr).isZero();

        String manifest = Files.readString(ws.day(DAY).resolve("_SUCCESS"));
        assertThat(manifest).contains("\"rows\" : 10").contains("\"rejectedLines\" : 3");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            expected.add(event(i));
        }
        ParquetAssertions.assertExactly(ws.events(), Map.of(LocalDate.parse(DAY), expected));
    }

    @Test
    void aLineLongerThan16MiBIsRejectedWithoutBeingBuffered() throws Exception {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write((event(0) + "\n").getBytes(StandardCharsets.UTF_8));
        body.write("{\"event\":\"Huge\",\"properties\":{\"time\":1,\"blob\":\"".getBytes(StandardCharsets.UTF_8));
        body.write("x".repeat(17 << 20).getBytes(StandardCharsets.UTF_8));
        body.write("\"}}\n".getBytes(StandardCharsets.UTF_8));
        body.write((event(1) + "\n").getBytes(StandardCharsets.UTF_8));
        server.serve(DAY, body.toByteArray());
        ws.job(server.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(), "maxRejectedLines: 1");

        assertThat(ws.export(DAY, DAY)).as(ws.lastErr).isZero();

        List<String> reasons = Files.readAllLines(tmp.resolve("spool/it-events/_rejected/" + DAY + ".reasons"));
        assertThat(reasons).singleElement().asString().startsWith("2\t").contains("longer than 16 MiB");
        ParquetAssertions.assertExactly(ws.events(), Map.of(LocalDate.parse(DAY), List.of(event(0), event(1))));
    }

    @Test
    void linesOf20MBAnd17MiBAreKeptByteForByteWithTheirTrueOffsets() throws Exception {
        byte[] first = (event(0) + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] twenty = hugeLine("Twenty", 20_000_000);
        byte[] second = (event(1) + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] seventeen = hugeLine("Seventeen", 17 << 20);
        byte[] third = (event(2) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] b : List.of(first, twenty, "\n".getBytes(StandardCharsets.UTF_8), second, seventeen,
                "\n".getBytes(StandardCharsets.UTF_8), third)) {
            body.write(b);
        }
        server.serve(DAY, body.toByteArray());
        ws.job(server.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(), "maxRejectedLines: 2");

        assertThat(ws.export(DAY, DAY)).as(ws.lastErr).isZero();

        Path rejected = tmp.resolve("spool/it-events/_rejected/");
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        kept.write(twenty);
        kept.write('\n');
        kept.write(seventeen);
        kept.write('\n');
        assertThat(Files.readAllBytes(rejected.resolve(DAY + ".lines"))).as("both lines, byte for byte")
                .isEqualTo(kept.toByteArray());
        long twentyAt = first.length;
        long seventeenAt = twentyAt + twenty.length + 1 + second.length;
        assertThat(Files.readAllLines(rejected.resolve(DAY + ".reasons"))).containsExactly(
                "2\t" + twentyAt + "\tline longer than 16 MiB", "4\t" + seventeenAt + "\tline longer than 16 MiB");
        assertThat(Files.readString(ws.day(DAY).resolve("_SUCCESS"))).contains("\"rejectedLines\" : 2");
        try (var leftovers = Files.list(rejected)) {
            assertThat(leftovers.map(f -> f.getFileName().toString())).as("no half-moved line file")
                    .containsExactlyInAnyOrder(DAY + ".lines", DAY + ".reasons");
        }
        ParquetAssertions.assertExactly(ws.events(), Map.of(LocalDate.parse(DAY), List.of(event(0), event(1), event(2))));
    }

    @Test
    void twoDaysConvertedAtOnceKeepTheirOwnLongLinesAtTheSameLineNumber() throws Exception {
        String day2 = "2026-02-02";
        byte[] first = hugeLine("FirstDay", 17 << 20);
        byte[] second = hugeLine("SecondDay", (17 << 20) + 1);
        for (String[] d : new String[][] {{DAY, "0"}, {day2, "1"}}) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            String ok = d[1].equals("0") ? event(0) : event(0).replace(String.valueOf(T0), String.valueOf(T0 + 86_400_000L));
            body.write((ok + "\n").getBytes(StandardCharsets.UTF_8));
            body.write(d[1].equals("0") ? first : second);
            body.write('\n');
            server.serve(d[0], body.toByteArray());
        }
        ws.job(server.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(), "maxRejectedLines: 1",
                "daysPerRequest: 1", "parallelism: 2");

        assertThat(ws.export(DAY, day2)).as(ws.lastErr).isZero();

        Path rejected = tmp.resolve("spool/it-events/_rejected/");
        assertThat(Files.readAllBytes(rejected.resolve(DAY + ".lines"))).as("the first day's own line, at line 2")
                .isEqualTo(withNewline(first));
        assertThat(Files.readAllBytes(rejected.resolve(day2 + ".lines"))).as("the second day's own line, at line 2")
                .isEqualTo(withNewline(second));
    }

    private static byte[] withNewline(byte[] line) {
        byte[] b = java.util.Arrays.copyOf(line, line.length + 1);
        b[line.length] = '\n';
        return b;
    }

    /** A valid event line of about {@code size} bytes (no newline), its blob varied so it is not one byte repeated. */
    private static byte[] hugeLine(String name, int size) {
        String head = "{\"event\":\"" + name + "\",\"properties\":{\"time\":1,\"blob\":\"";
        String tail = "\"}}";
        StringBuilder sb = new StringBuilder(size).append(head);
        java.util.Random random = new java.util.Random(size);
        while (sb.length() < size - tail.length()) {
            sb.append((char) ('a' + random.nextInt(26)));
        }
        return sb.append(tail).toString().getBytes(StandardCharsets.UTF_8);
    }
}
