package io.mixpanelpipelines.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The engage endpoint over real HTTP: paging by session, filters, the Query limit, expiry and faults. */
class SimulatorEngageTests {

    private static final Pattern SESSION = Pattern.compile("\"session_id\": \"([0-9a-f]+)\"");
    private static final Pattern ID = Pattern.compile("\\{\"\\$distinct_id\": \"([^\"]+)\"");
    private final HttpClient http = HttpClient.newHttpClient();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
    private MixpanelSimulator sim;

    @AfterEach
    void stop() {
        if (sim != null) {
            sim.close();
        }
    }

    private MixpanelSimulator start(int profiles, int queryLimit) {
        sim = MixpanelSimulator.builder().serviceAccount(ExportCalls.SA_USER, ExportCalls.SA_SECRET).projectId("42")
                .profiles(profiles).queryLimit(queryLimit).sessionExpiry(Duration.ofMinutes(5)).clock(clock).build().start(0);
        return sim;
    }

    private HttpResponse<String> post(Map<String, String> form) throws Exception {
        StringBuilder body = new StringBuilder();
        form.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&").append(k).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpRequest request = HttpRequest.newBuilder(URI.create(sim.baseUri() + "/api/query/engage?project_id=42"))
                .header("Authorization", ExportCalls.serviceAccountAuth())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void pagesOfAThousandFollowTheSessionAndEndShort() throws Exception {
        start(2500, 0);
        HttpResponse<String> first = post(Map.of());
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).contains("\"total\": 2500").contains("\"page_size\": 1000");
        Matcher m = SESSION.matcher(first.body());
        assertThat(m.find()).isTrue();
        Set<String> ids = new HashSet<>(ids(first.body()));
        for (int page = 1; page <= 2; page++) {
            HttpResponse<String> next = post(new LinkedHashMap<>(Map.of("session_id", m.group(1), "page", "" + page)));
            assertThat(next.statusCode()).isEqualTo(200);
            ids.addAll(ids(next.body()));
            assertThat(ids(next.body())).hasSize(page == 2 ? 500 : 1000);
        }
        assertThat(ids).isEqualTo(sim.expectedProfiles().keySet());
    }

    @Test
    void whereOnLastSeenSplitsTheProfilesAndAnUnknownWhereIsRefused() throws Exception {
        start(3000, 0);
        int before = total(post(Map.of("where", "properties[\"$last_seen\"] < \"2026-01-01T00:00:00\"")).body());
        int after = total(post(Map.of("where", "properties[\"$last_seen\"] >= \"2026-01-01T00:00:00\"")).body());
        int unset = total(post(Map.of("where", "not defined(properties[\"$last_seen\"])")).body());
        assertThat(before).isPositive();
        assertThat(after).isPositive();
        assertThat(unset).isEqualTo(150);
        assertThat(before + after + unset).isEqualTo(3000);
        HttpResponse<String> refused = post(Map.of("where", "properties[\"plan\"] in [\"a\"]"));
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("does not understand");
    }

    @Test
    void distinctIdRangesOfTheProfilesWithoutLastSeenPartitionThem() throws Exception {
        start(3000, 0);
        String unset = "not defined(properties[\"$last_seen\"])";
        List<String> below = ids(post(Map.of("where", unset + " and properties[\"$distinct_id\"] < \"user-2\"")).body());
        List<String> from = ids(post(Map.of("where", unset + " and properties[\"$distinct_id\"] >= \"user-2\"")).body());
        assertThat(below).isNotEmpty().allMatch(id -> id.compareTo("user-2") < 0);
        assertThat(from).isNotEmpty().allMatch(id -> id.compareTo("user-2") >= 0);
        assertThat(below.size() + from.size()).isEqualTo(150);
    }

    @Test
    void theQueryLimitAnswers429AndAnExpiredSessionA400() throws Exception {
        start(2500, 2);
        HttpResponse<String> first = post(Map.of());
        Matcher m = SESSION.matcher(first.body());
        assertThat(m.find()).isTrue();
        clock.advance(Duration.ofMinutes(6));
        HttpResponse<String> expired = post(Map.of("session_id", m.group(1), "page", "1"));
        assertThat(expired.statusCode()).isEqualTo(400);
        assertThat(expired.body()).contains("expired");
        HttpResponse<String> limited = post(Map.of());
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).isPresent();
        clock.advance(Duration.ofHours(1));
        sim.engageFaults().enqueue(Fault.status(503));
        assertThat(post(Map.of()).statusCode()).isEqualTo(503);
        assertThat(post(Map.of("output_properties", "[\"$name\"]")).body()).doesNotContain("$email").contains("$name");
    }

    @Test
    void cohortsGroupsAndIncludeAllUsers() throws Exception {
        start(1000, 0);
        assertThat(total(post(Map.of("filter_by_cohort", "{\"id\": 10}", "include_all_users", "false")).body())).isEqualTo(100);
        assertThat(total(post(Map.of("filter_by_cohort", "{\"id\": 10}")).body())).isEqualTo(110);
        assertThat(post(Map.of("data_group_id", "company")).body()).contains("company-0").contains("\"total\": 100");
    }

    private static int total(String body) {
        Matcher m = Pattern.compile("\"total\": (\\d+)").matcher(body);
        assertThat(m.find()).as(body).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static java.util.List<String> ids(String body) {
        java.util.List<String> ids = new java.util.ArrayList<>();
        Matcher m = ID.matcher(body);
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }
}
