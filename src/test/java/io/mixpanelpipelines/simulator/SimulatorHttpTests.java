package io.mixpanelpipelines.simulator;

import static io.mixpanelpipelines.simulator.ExportCalls.SA_SECRET;
import static io.mixpanelpipelines.simulator.ExportCalls.SA_USER;
import static io.mixpanelpipelines.simulator.ExportCalls.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The export endpoint over real HTTP: auth, gzip, parameters, validation and the hourly limit. */
class SimulatorHttpTests {

    private static final LocalDate DAY = LocalDate.of(2024, 3, 9);
    private static final String DAY_QUERY = "from_date=2024-03-09&to_date=2024-03-09";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final MutableClock clock = new MutableClock(Instant.parse("2024-03-10T12:00:00Z"));
    private MixpanelSimulator sim;
    private ExportCalls calls;

    @BeforeEach
    void start() {
        sim = MixpanelSimulator.builder()
                .seed(42)
                .projectSecret(SECRET)
                .serviceAccount(SA_USER, SA_SECRET)
                .clock(clock)
                .hourlyLimit(0)
                .build()
                .start(0);
        calls = new ExportCalls(sim.baseUri());
    }

    @AfterEach
    void stop() {
        sim.close();
        // whatever a test did, no credential may come back in a body, a header or the request log
        assertThat(calls.bodiesSeen).noneMatch(text -> text.contains(SECRET) || text.contains(SA_SECRET));
        assertThat(sim.requests().toString()).doesNotContain(SECRET, SA_SECRET);
    }

    @Test
    void projectSecretGetsExactlyTheExpectedLines() {
        ExportCalls.Reply reply = calls.export(DAY_QUERY);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).endsWith("\n");
        assertThat(reply.lines()).isEqualTo(sim.expectedLines(DAY, false));
        assertThat(reply.header("Content-Encoding")).isNull();
        reply.lines().forEach(JSON::readTree);
    }

    @Test
    void serviceAccountNeedsTheRightProjectId() {
        String auth = ExportCalls.serviceAccountAuth();

        assertThat(calls.export(DAY_QUERY + "&project_id=123456", auth, false).status()).isEqualTo(200);
        ExportCalls.Reply missing = calls.export(DAY_QUERY, auth, false);
        assertThat(missing.status()).isEqualTo(400);
        assertThat(JSON.readTree(missing.body()).get("error").asString()).contains("project_id");
        assertThat(calls.export(DAY_QUERY + "&project_id=999", auth, false).status()).isEqualTo(403);
    }

    @Test
    void wrongOrMissingCredentialsGet401() {
        List<String> wrong = List.of(
                ExportCalls.basic(SECRET, "x"),
                ExportCalls.basic(SA_USER, "nope"),
                ExportCalls.basic(SA_USER, SECRET),
                ExportCalls.basic("other", ""),
                "Basic %%%notbase64",
                "Bearer " + SECRET);
        for (String auth : wrong) {
            ExportCalls.Reply reply = calls.export(DAY_QUERY + "&project_id=123456", auth, false);
            assertThat(reply.status()).isEqualTo(401);
            assertThat(reply.body()).isEqualTo("{\"error\": \"Unable to authenticate request\"}");
        }
        assertThat(calls.export(DAY_QUERY, null, false).status()).isEqualTo(401);
        assertThat(sim.requests()).allMatch(r -> r.status() == 401);
    }

    @Test
    void gzipOnlyWhenAskedAndTheBodyIsLarge() {
        ExportCalls.Reply gzipped = calls.export(DAY_QUERY, ExportCalls.projectSecretAuth(), true);
        assertThat(gzipped.header("Content-Encoding")).isEqualTo("gzip");
        assertThat(gzipped.raw().body().length).isLessThan(gzipped.body().length() / 2);
        assertThat(gzipped.lines()).isEqualTo(sim.expectedLines(DAY, false));

        ExportCalls.Reply small = calls.export(DAY_QUERY + "&limit=1", ExportCalls.projectSecretAuth(), true);
        assertThat(small.header("Content-Encoding")).isNull();
        assertThat(small.lines()).containsExactly(sim.expectedLines(DAY, false).get(0));
    }

    @Test
    void sameSeedServesTheSameBytesFromTwoServers() {
        try (MixpanelSimulator twin = MixpanelSimulator.builder().seed(42).projectSecret(SECRET).clock(clock)
                .build().start(0)) {
            ExportCalls twinCalls = new ExportCalls(twin.baseUri());
            assertThat(twinCalls.export(DAY_QUERY).body()).isEqualTo(calls.export(DAY_QUERY).body());
        }
    }

    @Test
    void severalDaysAndTimeInMs() {
        ExportCalls.Reply reply = calls.export("from_date=2024-03-08&to_date=2024-03-09&time_in_ms=true");

        List<String> expected = new java.util.ArrayList<>(sim.expectedLines(DAY.minusDays(1), true));
        expected.addAll(sim.expectedLines(DAY, true));
        assertThat(reply.lines()).isEqualTo(expected);
    }

    @Test
    void aDayWithItsOwnCountIsServedWithItAmongUniformDays() {
        try (MixpanelSimulator shaped = MixpanelSimulator.builder().seed(42).projectSecret(SECRET).clock(clock)
                .eventsPerDay(30).eventsOn(DAY, 2_500).eventsOn(DAY.minusDays(2), 0).build().start(0)) {
            ExportCalls.Reply reply = new ExportCalls(shaped.baseUri()).export("from_date=2024-03-06&to_date=2024-03-09");

            assertThat(shaped.expectedLines(DAY, false)).hasSize(2_500);
            assertThat(shaped.expectedLines(DAY.minusDays(2), false)).isEmpty();
            List<String> expected = new java.util.ArrayList<>();
            for (LocalDate d = DAY.minusDays(3); !d.isAfter(DAY); d = d.plusDays(1)) {
                expected.addAll(shaped.expectedLines(d, false));
            }
            assertThat(expected).hasSize(30 + 0 + 30 + 2_500);
            assertThat(reply.lines()).isEqualTo(expected);
        }
    }

    @Test
    void eventWhereAndLimitFilter() {
        ExportCalls.Reply byName = calls.export(DAY_QUERY + "&event=" + encode("[\"Login\",\"注文完了\"]"));
        assertThat(byName.lines()).isNotEmpty().allSatisfy(line ->
                assertThat(JSON.readTree(line).get("event").asString()).isIn("Login", "注文完了"));

        long from = Instant.parse("2024-03-09T06:00:00Z").getEpochSecond();
        long to = Instant.parse("2024-03-09T07:00:00Z").getEpochSecond();
        String where = "properties[\"$time\"] >= datetime(" + from + ") and properties[\"$time\"] < datetime(" + to + ")";
        ExportCalls.Reply slice = calls.export(DAY_QUERY + "&where=" + encode(where));
        assertThat(slice.lines()).hasSizeBetween(10, 100).allSatisfy(line -> assertThat(
                JSON.readTree(line).get("properties").get("time").longValue()).isBetween(from, to - 1));

        assertThat(calls.export(DAY_QUERY + "&where=" + encode("properties[\"x\"] == 1")).status()).isEqualTo(400);
        assertThat(calls.export(DAY_QUERY + "&limit=7").lines()).hasSize(7);
        assertThat(calls.export(DAY_QUERY + "&limit=0").status()).isEqualTo(400);
        assertThat(calls.export(DAY_QUERY + "&event=notjson").status()).isEqualTo(400);
    }

    @Test
    void badDatesGet400WithAMixpanelLikeBody() {
        ExportCalls.Reply missing = calls.export("to_date=2024-03-09");
        assertThat(missing.status()).isEqualTo(400);
        JsonNode body = JSON.readTree(missing.body());
        assertThat(body.get("request").asString()).isEqualTo("/api/2.0/export");
        assertThat(body.get("error").asString()).contains("from_date");

        assertThat(calls.export("from_date=2024-3-9&to_date=2024-03-09").status()).isEqualTo(400);
        assertThat(calls.export("from_date=2024-02-30&to_date=2024-03-09").status()).isEqualTo(400);
        assertThat(calls.export("from_date=2024-03-09&to_date=2024-03-08").status()).isEqualTo(400);
    }

    @Test
    void toDateAfterTodayInTheProjectTimezoneGets400() {
        assertThat(calls.export("from_date=2024-03-10&to_date=2024-03-10").status()).isEqualTo(200);
        ExportCalls.Reply tomorrow = calls.export("from_date=2024-03-10&to_date=2024-03-11");
        assertThat(tomorrow.status()).isEqualTo(400);
        assertThat(tomorrow.body()).contains("to_date cannot be later than today");

        // 16:00 UTC is already the 11th in Tokyo
        MutableClock afternoon = new MutableClock(Instant.parse("2024-03-10T16:00:00Z"));
        try (MixpanelSimulator tokyo = MixpanelSimulator.builder().projectSecret(SECRET).clock(afternoon)
                .timezone(ZoneId.of("Asia/Tokyo")).build().start(0)) {
            assertThat(new ExportCalls(tokyo.baseUri()).export("from_date=2024-03-11&to_date=2024-03-11").status())
                    .isEqualTo(200);
        }
    }

    @Test
    void hourlyLimitAnswers429WithRetryAfterUntilTheWindowMoves() {
        try (MixpanelSimulator limited = MixpanelSimulator.builder().projectSecret(SECRET).clock(clock)
                .eventsPerDay(10).hourlyLimit(2).build().start(0)) {
            ExportCalls limitedCalls = new ExportCalls(limited.baseUri());
            assertThat(limitedCalls.export(DAY_QUERY).status()).isEqualTo(200);
            clock.advance(Duration.ofMinutes(10));
            assertThat(limitedCalls.export(DAY_QUERY).status()).isEqualTo(200);

            ExportCalls.Reply refused = limitedCalls.export(DAY_QUERY);
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.header("Retry-After")).isEqualTo("3000"); // the first request leaves in 50 min
            assertThat(JSON.readTree(refused.body()).get("error").asString()).contains("hour");

            clock.advance(Duration.ofMinutes(50));
            assertThat(limitedCalls.export(DAY_QUERY).status()).isEqualTo(200);
            assertThat(limited.requestCount()).isEqualTo(4);
        }
    }

    @Test
    void requestLogKeepsDatesStatusAndParamsButNoCredentials() {
        calls.export(DAY_QUERY + "&time_in_ms=true");
        calls.export(DAY_QUERY, ExportCalls.basic("wrong", "creds"), false);
        calls.export(DAY_QUERY + "&api_secret=" + SECRET); // a confused client puts it in the URL

        List<SimulatorRequest> log = sim.requests();
        assertThat(log).hasSize(3);
        assertThat(log.get(0).fromDate()).isEqualTo(DAY);
        assertThat(log.get(0).toDate()).isEqualTo(DAY);
        assertThat(log.get(0).status()).isEqualTo(200);
        assertThat(log.get(0).params()).containsEntry("time_in_ms", "true");
        assertThat(log.get(1).status()).isEqualTo(401);
        assertThat(log.get(2).params()).containsEntry("api_secret", "[redacted]");
        assertThat(sim.requestCount()).isEqualTo(3);
    }

    @Test
    void otherPathsAre404AndNotCounted() {
        assertThat(calls.send(calls.request("/api/2.0/funnels", ExportCalls.projectSecretAuth(), false).GET().build())
                .status()).isEqualTo(404);
        // the engage query is served now (POST only), and never counted as an export request
        assertThat(calls.send(calls.request("/api/2.0/engage", ExportCalls.projectSecretAuth(), false).GET().build())
                .status()).isEqualTo(405);
        assertThat(calls.send(calls.request("/api/2.0/exportx", null, false).GET().build()).status()).isEqualTo(404);
        assertThat(calls.send(calls.request("/api/2.0/export/?" + DAY_QUERY, ExportCalls.projectSecretAuth(), false)
                .GET().build()).status()).isEqualTo(200);
        assertThat(calls.send(calls.request("/api/2.0/export?" + DAY_QUERY, ExportCalls.projectSecretAuth(), false)
                .POST(HttpRequest.BodyPublishers.noBody()).build()).status()).isEqualTo(405);
        assertThat(sim.requestCount()).isEqualTo(2);
    }

    private static String encode(String text) {
        return java.net.URLEncoder.encode(text, java.nio.charset.StandardCharsets.UTF_8);
    }
}
