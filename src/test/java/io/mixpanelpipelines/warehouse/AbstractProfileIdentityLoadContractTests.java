package io.mixpanelpipelines.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.support.ProfileIdentityFiles.Mapping;
import io.mixpanelpipelines.support.ProfileIdentityFiles.Profile;
import io.mixpanelpipelines.support.TestFiles;
import io.mixpanelpipelines.warehouse.LoadSummary.DatasetLoad;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The people and identity load contract ({@link ProfileIdentityLoader}, {@link DatasetLoadService}) on a real warehouse. */
abstract class AbstractProfileIdentityLoadContractTests extends AbstractProfileIdentityLoaderTests {

    @Test
    void aNewerSnapshotReplacesThePeopleTableAndASecondLoadChangesNothing() throws Exception {
        List<Profile> first = List.of(p("a", "{\"$name\":\"A\"}", 1), p("b", "{\"x\":1}", -1), p("c", "{}", 3));
        List<Profile> second = List.of(p("b", "{\"x\":2}", 5), p("d", "{\"$email\":\"d@x\"}", 6));
        files.profiles("people", D1, first, true);

        assertThat(outcomes(service.loadPeople())).containsExactly("people 2026-01-01 LOADED");
        assertThat(profiles("people")).isEqualTo(expected(first));

        files.profiles("people", D2, second, true);
        assertThat(outcomes(service.loadPeople())).containsExactly("people 2026-01-02 LOADED");
        assertThat(profiles("people")).isEqualTo(expected(second));

        assertThat(outcomes(service.loadPeople())).containsExactly("people 2026-01-02 UNCHANGED");
        assertThat(profiles("people")).isEqualTo(expected(second));
    }

    @Test
    void aReaderOnAnotherConnectionSeesTheOldOrTheNewSnapshotNeverAnEmptyOrPartialTable() throws Exception {
        List<Profile> first = IntStream.range(0, 20_000).mapToObj(i -> p("old-" + i, "{\"i\":" + i + "}", i % 100)).toList();
        List<Profile> second = IntStream.range(0, 30_000).mapToObj(i -> p("new-" + i, "{\"i\":" + i + "}", i % 100)).toList();
        files.profiles("people", D1, first, true);
        service.loadPeople();
        files.profiles("people", D2, second, true);

        AtomicBoolean done = new AtomicBoolean();
        java.util.concurrent.CountDownLatch firstRead = new java.util.concurrent.CountDownLatch(1);
        List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
            try (Connection c = connect(); Statement s = c.createStatement()) {
                do { // at least one read after the load, whatever the scheduling
                    boolean last = done.get();
                    try (ResultSet rs = s.executeQuery("SELECT count(*), count(*) FILTER (WHERE distinct_id LIKE 'new-%') "
                            + "FROM mixpanel.people")) {
                        rs.next();
                        seen.add(rs.getLong(1) + "/" + rs.getLong(2));
                    }
                    firstRead.countDown();
                    if (last) {
                        break;
                    }
                } while (true);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(firstRead.await(30, TimeUnit.SECONDS)).isTrue(); // the reader is reading when the load starts
        try {
            assertThat(outcomes(service.loadPeople())).containsExactly("people 2026-01-02 LOADED");
        } finally {
            done.set(true);
        }
        reader.get(60, TimeUnit.SECONDS);

        assertThat(seen).contains("20000/0").allMatch(x -> x.equals("20000/0") || x.equals("30000/30000"));
        assertThat(seen.get(seen.size() - 1)).isEqualTo("30000/30000");
    }

    @Test
    void changesNewerThanTheSnapshotAreMergedByDistinctIdOlderOnesIgnored() throws Exception {
        files.profiles("people_changes", D1, List.of(p("a", "{\"stale\":true}", 0)), true);
        files.profiles("people", D2, List.of(p("a", "{\"v\":1}", 1), p("b", "{\"v\":1}", 1)), true);
        files.profiles("people_changes", D3, List.of(p("b", "{\"v\":2}", 9), p("c", "{\"v\":2}", 9)), true);

        List<DatasetLoad> r = service.loadPeople();
        assertThat(outcomes(r)).containsExactly("people 2026-01-02 LOADED", "people_changes 2026-01-03 LOADED");
        assertThat(r).extracting(DatasetLoad::target).containsOnly(type().name().toLowerCase(java.util.Locale.ROOT) + ":mixpanel.people");
        assertThat(profiles("people")).isEqualTo(expected(List.of(p("a", "{\"v\":1}", 1), p("b", "{\"v\":2}", 9),
                p("c", "{\"v\":2}", 9))));

        assertThat(outcomes(service.loadPeople())).containsExactly("people 2026-01-02 UNCHANGED",
                "people_changes 2026-01-03 UNCHANGED");
    }

    @Test
    void groupProfilesGoIntoTheirOwnTable() throws Exception {
        List<Profile> companies = List.of(p("acme", "{\"plan\":\"pro\"}", 2), p("initech", "{}", -1));
        files.profiles("groups/7", D1, companies, true);

        assertThat(outcomes(service.loadPeople())).containsExactly("groups/7 2026-01-01 LOADED");
        assertThat(profiles("groups_7")).isEqualTo(expected(companies));
    }

    @Test
    void aSnapshotWithoutSuccessOrWithOtherColumnsFailsAndLoadsNothingOfPeople() throws Exception {
        List<Profile> good = List.of(p("a", "{}", 1));
        files.profiles("people", D1, good, true);
        service.loadPeople();
        files.profiles("people", D2, List.of(p("b", "{}", 1)), false);

        List<DatasetLoad> r = service.loadPeople();
        assertThat(outcomes(r)).containsExactly("people null FAILED");
        assertThat(r.get(0).error()).contains("people/snapshot_date=2026-01-02 has no _SUCCESS");
        assertThat(profiles("people")).isEqualTo(expected(good));

        Path bad = tmp.resolve("export/123456/people/snapshot_date=2026-01-02");
        files.raw(bad, "SELECT 'b' AS distinct_id, 1 AS properties");
        java.nio.file.Files.writeString(bad.resolve("_SUCCESS"), "");
        r = service.loadPeople();
        assertThat(outcomes(r)).containsExactly("people null FAILED");
        assertThat(r.get(0).error()).contains("part-00000.parquet has the columns [distinct_id VARCHAR, properties INTEGER]");
        assertThat(profiles("people")).isEqualTo(expected(good));
    }

    @Test
    void unicodeNulAndRareJsonValuesSurvive() throws Exception {
        List<Profile> rows = new ArrayList<>(jsonSuiteProfiles());
        rows.add(new Profile("nul\u0000id é ☃ 😀", "{\"k\":\"\\u0000 \\ud83d\\ude00 \\\" \\\\ \\t\",\"k\":1e400,"
                + "\"n\":123456789012345678901234567890}", T0));
        files.profiles("people", D1, rows, true);

        assertThat(outcomes(service.loadPeople())).containsExactly("people 2026-01-01 LOADED");
        assertThat(rows).hasSizeGreaterThan(80);
        assertThat(profiles("people")).isEqualTo(expected(rows));
    }

    @Test
    void identityMappingsTakeTheEarliestCandidateAndARerunOfADayCorrectsTheTable() throws Exception {
        // day 1: a login merges device d1 ($device:d1 and d1) into u1; device d3 first seen with u3
        List<Mapping> day1 = List.of(m("$device:d1", "u1", 10), m("d1", "u1", 10), m("d3", "u3", 30), m("tie", "zz", 5));
        // day 2: d1 again with another user (later: ignored), d2 merges into u2, d3 earlier than day 1? no: later
        List<Mapping> day2 = List.of(m("d1", "u9", 24 * 60 + 1), m("d2", "u2", 24 * 60 + 2), m("d3", "u4", 24 * 60),
                m("tie", "aa", 5));
        files.mappings(D1, day1, true);
        files.mappings(D2, day2, true);

        assertThat(outcomes(service.loadIdentity())).containsExactly("identity_mappings 2026-01-01 LOADED",
                "identity_mappings 2026-01-02 LOADED");
        assertThat(identity()).isEqualTo(consolidate(day1, day2));
        assertThat(identity()).contains("d1|u1", "d3|u3", "tie|aa");

        // a rerun of day 1: d1 is no longer a candidate of that day (day 2's wins now), d3 changes user
        List<Mapping> rerun = List.of(m("$device:d1", "u1", 10), m("d3", "u5", 31));
        files.mappings(D1, rerun, true);
        assertThat(outcomes(service.loadIdentity())).containsExactly("identity_mappings 2026-01-01 LOADED",
                "identity_mappings 2026-01-02 UNCHANGED");
        assertThat(identity()).isEqualTo(consolidate(rerun, day2)).contains("d1|u9", "d3|u5");

        assertThat(outcomes(service.loadIdentity())).containsOnly("identity_mappings 2026-01-01 UNCHANGED",
                "identity_mappings 2026-01-02 UNCHANGED");

        // a day whose folder is gone leaves the table: d2 loses its mapping, d1 and d3 fall back to day 1's
        TestFiles.deleteTree(tmp.resolve("export/123456/identity_mappings/date=2026-01-02"));
        assertThat(outcomes(service.loadIdentity())).containsExactly("identity_mappings 2026-01-01 UNCHANGED",
                "identity_mappings 2026-01-02 REMOVED");
        assertThat(identity()).isEqualTo(consolidate(rerun, List.of())).doesNotContain("d2|u2");
        assertThat(outcomes(service.loadIdentity())).containsExactly("identity_mappings 2026-01-01 UNCHANGED");
        files.mappings(D2, day2, true);
        assertThat(outcomes(service.loadIdentity())).containsExactly("identity_mappings 2026-01-01 UNCHANGED",
                "identity_mappings 2026-01-02 LOADED");
        assertThat(identity()).isEqualTo(consolidate(rerun, day2));

        try (Connection c = connect(); Statement s = c.createStatement()) {
            allowEventsOfTheFirstDay(s);
            s.execute("INSERT INTO mixpanel.events (event_date, event_name, time, distinct_id) VALUES "
                    + "(DATE '2026-01-01', 'e', TIMESTAMP '2026-01-01 10:00:00', 'd3'), "
                    + "(DATE '2026-01-01', 'e', TIMESTAMP '2026-01-01 10:00:01', 'nobody'), "
                    + "(DATE '2026-01-01', 'e', TIMESTAMP '2026-01-01 10:00:02', '$device:d1')");
        }
        assertThat(query("SELECT distinct_id, event_name, resolved_distinct_id FROM mixpanel.events_resolved ORDER BY time"))
                .containsExactly("d3|e|u5", "nobody|e|nobody", "$device:d1|e|u1");
    }

    @Test
    void anIdentityDayWithOtherColumnsFailsAndLoadsNoDay() throws Exception {
        files.mappings(D1, List.of(m("d1", "u1", 1)), true);
        Path bad = tmp.resolve("export/123456/identity_mappings/date=2026-01-02");
        files.raw(bad, "SELECT 'd2' AS distinct_id, 'u2' AS resolved_distinct_id");
        java.nio.file.Files.writeString(bad.resolve("_SUCCESS"), "");

        List<DatasetLoad> r = service.loadIdentity();
        assertThat(outcomes(r)).containsExactly("identity_mappings null FAILED");
        assertThat(r.get(0).error()).contains("has the columns [distinct_id VARCHAR, resolved_distinct_id VARCHAR]");
        loader.prepare();
        assertThat(identity()).isEmpty();
    }

    List<String> identity() throws Exception {
        return query("SELECT distinct_id, resolved_distinct_id FROM mixpanel.identity_mappings").stream().sorted().toList();
    }

    /** The rule, computed here: per distinct_id the smallest first_seen, then the smallest resolved id. */
    static List<String> consolidate(List<Mapping> a, List<Mapping> b) {
        Map<String, Mapping> best = new TreeMap<>();
        Comparator<Mapping> order = Comparator.comparing(Mapping::firstSeen).thenComparing(Mapping::resolvedDistinctId);
        for (List<Mapping> day : List.of(a, b)) {
            for (Mapping m : day) {
                best.merge(m.distinctId(), m, (x, y) -> order.compare(x, y) <= 0 ? x : y);
            }
        }
        return best.values().stream().map(m -> m.distinctId() + "|" + m.resolvedDistinctId()).sorted().toList();
    }
}
