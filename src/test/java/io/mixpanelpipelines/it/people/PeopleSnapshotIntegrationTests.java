package io.mixpanelpipelines.it.people;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.simulator.MixpanelSimulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's done-when for people profiles, in-process against the simulator: a snapshot bigger than the
 * Query budget continues run after run without reading any page twice and publishes exactly the served
 * profiles; an expired session costs only the pages of the query in progress.
 */
class PeopleSnapshotIntegrationTests {

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
        w = new PeopleWorkspace(PeopleWorkspace.nextDayStart(), tmp, builder,
                "jdbc:h2:file:" + tmp.resolve("state/db") + ";WRITE_DELAY=0", people);
        return w;
    }

    @Test
    void twentyFiveThousandProfilesAtTenQueriesAnHourTakeSeveralRunsAndNoPageTwice() throws Exception {
        start(MixpanelSimulator.builder().profiles(25_000).queryLimit(10).sessionExpiry(Duration.ofHours(3)),
                "requestsPerHour: 10");

        int first = w.exportPeople();

        assertThat(first).as(w.ws.lastOut + w.ws.lastErr).isEqualTo(75);
        assertThat(w.sim.engageRequests()).as("exactly the budget").hasSize(10);
        assertThat(w.ws.lastOut).contains("DEFERRED").contains("10 Query API request(s) sent by this run")
                .contains("Query budget: 0 of 10 Query API requests left this hour; the next request fits at");
        assertThat(w.published("people")).isEmpty();
        assertThat(w.ws.run("status", "--job", w.ws.jobFile.toString())).isZero();
        assertThat(w.ws.lastOut).contains("PEOPLE DATASET").containsPattern("people +\\d{4}-\\d\\d-\\d\\d: \\d+/\\d+ queries, \\d+ pages")
                .contains("none yet");

        int runs = 1;
        int code = first;
        while (code == 75 && runs < 8) {
            w.clock.advance(Duration.ofMinutes(61));
            int before = w.sim.engageRequests().size();
            code = w.exportPeople();
            runs++;
            assertThat(w.sim.engageRequests().size() - before).as("each run within the hour's budget").isLessThanOrEqualTo(10);
        }

        assertThat(code).as(w.ws.lastOut + w.ws.lastErr).isZero();
        assertThat(runs).isBetween(3, 5);
        assertThat(w.sim.engageRequests()).as("never a 429: the budget kept under the limit").allMatch(r -> r.status() == 200);
        assertThat(w.servedPages().values()).as("no page read twice").allMatch(n -> n == 1);
        assertThat(w.published("people")).hasSize(1);
        Path snapshot = w.published("people").get(0);
        assertThat(PeopleWorkspace.read(snapshot)).isEqualTo(w.sim.expectedProfiles());
        assertThat(PeopleWorkspace.query(snapshot, "SELECT COUNT(*) FILTER (WHERE last_seen IS NULL), COUNT(*) FROM people"))
                .isEqualTo("1250|25000\n");
        assertThat(Files.readString(snapshot.resolve("_SUCCESS"))).contains("\"rows\": 25000");

        assertThat(w.exportPeople()).as("the day's snapshot is published: nothing to do").isZero();
        assertThat(w.ws.lastOut).contains("UP_TO_DATE");
    }

    @Test
    void queryLimitLowerThanTheBudgetDefersAfterThree429sUntilMixpanelAdmitsAgain() throws Exception {
        start(MixpanelSimulator.builder().profiles(25_000).queryLimit(10).sessionExpiry(Duration.ofHours(3)));
        java.time.Instant started = w.clock.instant();

        long t0 = System.nanoTime();
        int code = w.exportPeople();
        long tookMs = (System.nanoTime() - t0) / 1_000_000;

        assertThat(code).as(w.ws.lastOut + w.ws.lastErr).isEqualTo(75);
        assertThat(tookMs).as("deferred promptly, not after retries").isLessThan(20_000);
        assertThat(w.served()).as("the hour's 10 pages").hasSize(10);
        assertThat(w.sim.engageRequests()).as("10 pages and three 429s, then nothing more").hasSize(13);
        assertThat(w.ws.lastOut).as("the state store named like every summary").startsWith("State: ");
        assertThat(w.ws.lastOut).contains("DEFERRED").contains("answered 429 to 3 requests of this run")
                .contains("13 Query API request(s) sent by this run");
        java.util.regex.Matcher after = java.util.regex.Pattern.compile("run the same command again after (\\S+)\\.")
                .matcher(w.ws.lastOut);
        assertThat(after.find()).as(w.ws.lastOut).isTrue();
        assertThat(java.time.Instant.parse(after.group(1))).as("not before Mixpanel's hour frees (its Retry-After)")
                .isAfter(started.plus(Duration.ofMinutes(55)));
    }

    @Test
    void profilesWithoutLastSeenAreCutByDistinctIdRangesSoNoQueryOutlivesItsSessionBudget() throws Exception {
        start(MixpanelSimulator.builder().profiles(5_000).unseenProfileEvery(1).queryLimit(0), "maxPagesPerQuery: 2");

        int code = w.exportPeople();

        assertThat(code).as(w.ws.lastOut + w.ws.lastErr).isZero();
        Map<String, Long> pagesPerQuery = w.served().stream().collect(Collectors.groupingBy(
                r -> r.params().getOrDefault("where", ""), Collectors.counting()));
        assertThat(pagesPerQuery).as("every query within 2 pages (its page 0 included when it was split): " + pagesPerQuery)
                .allSatisfy((where, pages) -> assertThat(pages).isLessThanOrEqualTo(2));
        assertThat(pagesPerQuery.keySet()).as("the profiles without $last_seen were cut by distinct id")
                .anyMatch(where -> where.startsWith("not defined(properties[\"$last_seen\"]) and properties[\"$distinct_id\"]"));
        assertThat(w.servedPages().values()).as("no page read twice").allMatch(n -> n == 1);
        Path snapshot = w.published("people").get(0);
        assertThat(PeopleWorkspace.read(snapshot)).isEqualTo(w.sim.expectedProfiles()).hasSize(5_000);
        assertThat(PeopleWorkspace.query(snapshot, "SELECT COUNT(*) FILTER (WHERE last_seen IS NULL) FROM people"))
                .isEqualTo("5000\n");
    }

    @Test
    void anExpiredSessionCostsOnlyThePagesOfTheQueryInProgress() throws Exception {
        start(MixpanelSimulator.builder().profiles(12_000).queryLimit(0).sessionExpiry(Duration.ofMinutes(5)),
                "requestsPerHour: 7", "maxPagesPerQuery: 20");

        assertThat(w.exportPeople()).as(w.ws.lastErr).isEqualTo(75);
        // the hour passes: the session of the query in progress is long gone
        w.clock.advance(Duration.ofMinutes(61));
        int code = 75;
        for (int i = 0; i < 4 && code == 75; i++) {
            code = w.exportPeople();
            w.clock.advance(Duration.ofMinutes(61));
        }

        assertThat(code).as(w.ws.lastOut + w.ws.lastErr).isZero();
        long expiries = w.sim.engageRequests().stream().filter(r -> r.status() == 400).count();
        assertThat(expiries).as("the expired session was met").isPositive();
        Map<String, Long> pages = w.servedPages();
        long again = pages.values().stream().mapToLong(n -> n - 1).sum();
        long queriesReadAgain = pages.entrySet().stream().filter(e -> e.getValue() > 1)
                .map(e -> e.getKey().substring(0, e.getKey().lastIndexOf(" #"))).distinct().count();
        assertThat(queriesReadAgain).as("only the query in progress at each expiry is read again").isLessThanOrEqualTo(expiries);
        // a query is at most requestsPerHour - 1 = 6 pages (larger ranges are split), so its session's loss costs at most 6
        assertThat(again).as("at most the pages of the query in progress, per expiry: " + pages).isLessThanOrEqualTo(expiries * 6);
        assertThat(PeopleWorkspace.read(w.published("people").get(0))).isEqualTo(w.sim.expectedProfiles());
    }

    @Test
    void aProfileSeenAgainWhileTheSnapshotIsReadLandsOnceInItsNewestVersion() throws Exception {
        start(MixpanelSimulator.builder().profiles(25_000).queryLimit(10).sessionExpiry(Duration.ofHours(3)),
                "requestsPerHour: 10");
        assertThat(w.exportPeople()).isEqualTo(75);
        // activity between two runs: some of these were read already (in an older range, or without
        // $last_seen) and will be read again in the newest range
        w.sim.touchProfiles(50, w.clock.instant());
        int code = 75;
        for (int runs = 0; code == 75 && runs < 8; runs++) {
            w.clock.advance(Duration.ofMinutes(61));
            code = w.exportPeople();
        }

        assertThat(code).as(w.ws.lastOut + w.ws.lastErr).isZero();
        Map<String, String> read = PeopleWorkspace.read(w.published("people").get(0));
        assertThat(read).as("every profile once, the touched ones as they are now").isEqualTo(w.sim.expectedProfiles());
        assertThat(w.ws.lastOut).containsPattern("[1-9]\\d* older occurrence\\(s\\) of profiles seen again");
    }
}
