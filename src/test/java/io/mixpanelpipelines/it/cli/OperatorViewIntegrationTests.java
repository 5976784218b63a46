package io.mixpanelpipelines.it.cli;

import io.mixpanelpipelines.config.StateStoreLocation;
import io.mixpanelpipelines.support.ExportWorkspace;
import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.simulator.MixpanelSimulator;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code status} as a calendar and as JSON, and what {@code rerun} says before it starts. */
class OperatorViewIntegrationTests {

    @TempDir
    Path tmp;
    MixpanelSimulator sim;
    ExportWorkspace ws;

    @BeforeEach
    void setUp() throws Exception {
        sim = MixpanelSimulator.builder().eventsPerDay(200).projectId("123456").serviceAccount("u", "s").build().start(0);
        ws = new ExportWorkspace(tmp, Map.of("spring.datasource.url",
                StateStoreLocation.h2Url(tmp.resolve("state"))))
                .job(sim.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(), "daysPerRequest: 1");
        ws.env.put("IT_SA_USER", "u");
        ws.env.put("IT_SA_SECRET", "s");
        // today is 2026-01-06 (a clock that moves: the budget's per-second limit waits on it)
        ws.clock = Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), Instant.parse("2026-01-06T12:00:00Z")));
    }

    @AfterEach
    void tearDown() {
        sim.close();
    }

    @Test
    void statusShowsAMonthCalendarInPlainTextWhenPipedAndJsonOnRequest() throws Exception {
        assertThat(ws.export("2026-01-01", "2026-01-03")).as(ws.lastErr).isZero();

        assertThat(ws.run("status", "--job", ws.jobFile.toString())).as(ws.lastErr).isZero();
        assertThat(ws.lastOut).contains("January 2026").contains(" Mo  Tu  We  Th  Fr  Sa  Su")
                .contains(" 1P  2P  3P  4.") // 2026-01-01 is a Thursday
                .contains(" 5.").contains(" 6 ").contains("P published").doesNotContain("\u001b[")
                .contains("2026-01-02  PUBLISHED");
        assertThat(ws.lastOut.strip().lines().reduce((a, b) -> b).orElseThrow()).startsWith("Budget: ").contains("left this hour");

        assertThat(ws.run("status", "--job", ws.jobFile.toString(), "--json")).as(ws.lastErr).isZero();
        JsonNode json = JsonMapper.builder().build().readTree(ws.lastOut);
        assertThat(json.get("job").asString()).isEqualTo("it-events");
        assertThat(json.get("counts").get("published").asLong()).isEqualTo(3);
        assertThat(json.get("counts").get("missing").asLong()).isEqualTo(2);
        assertThat(json.get("missing").toString()).isEqualTo("[\"2026-01-04\",\"2026-01-05\"]");
        assertThat(json.get("partitions").get(0).get("rows").asLong()).isEqualTo(200);
        assertThat(json.get("budget").get("perHour").asInt()).isEqualTo(50);
        assertThat(json.get("budget").get("remaining").asInt()).isEqualTo(47);
    }

    @Test
    void rerunSaysWhatItWillDoAndWhatItCostsBeforeItStarts() throws Exception {
        assertThat(ws.export("2026-01-01", "2026-01-03")).as(ws.lastErr).isZero();

        assertThat(ws.run("rerun", "--job", ws.jobFile.toString(), "--partition", "2026-01-02", "2026-01-03", "--yes"))
                .as(ws.lastErr).isZero();

        // the job's daysPerRequest: 1 keeps them apart; the cost line names each request
        assertThat(ws.lastOut).startsWith("rerun: 2 day(s) 2026-01-02..2026-01-03 will be fetched afresh and replaced; "
                + "about 2 export request(s) (2026-01-03, 2026-01-02), 47 of 50 left this hour");
        assertThat(sim.requestCount()).isEqualTo(5);
    }

    @Test
    void aRerunOfConsecutiveDaysSharesOneRequest() throws Exception {
        ws.job(sim.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth());
        assertThat(ws.export("2026-01-01", "2026-01-03")).as(ws.lastErr).isZero();
        int before = sim.requestCount();

        assertThat(ws.run("rerun", "--job", ws.jobFile.toString(), "--partition", "2026-01-02", "2026-01-03", "--yes"))
                .as(ws.lastErr).isZero();

        assertThat(ws.lastOut).startsWith("rerun: 2 day(s) 2026-01-02..2026-01-03 will be fetched afresh and replaced; "
                + "about 1 export request(s) (2026-01-02..2026-01-03)");
        assertThat(ws.lastOut).contains("2 of 2 day(s) published; 1 request(s) sent");
        assertThat(sim.requestCount()).isEqualTo(before + 1);
    }
}
