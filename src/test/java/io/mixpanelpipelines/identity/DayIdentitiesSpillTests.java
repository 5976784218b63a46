package io.mixpanelpipelines.identity;

import static io.mixpanelpipelines.identity.DayIdentitiesTests.event;
import static io.mixpanelpipelines.identity.DayIdentitiesTests.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.convert.json.MixpanelEventParser;
import io.mixpanelpipelines.convert.json.ParsedEvent;
import io.mixpanelpipelines.identity.DayIdentities.Mapping;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Spilling against a reference: tens of thousands of events (device logins and merge events over a shared
 * pool of ids, so one id has candidates in many runs, and times from a narrow range, so ties are common),
 * offered in random order to a day holding only a few candidates in memory, give exactly the rows of a plain
 * in-memory computation of the same rules; a day resumed from part of its events plus the rest gives the same;
 * no spill file is left.
 */
class DayIdentitiesSpillTests {

    private static final long T = 1_769_904_000L; // 2026-02-01T00:00:00Z, seconds

    @TempDir
    Path tmp;

    /**
     * Between an id's name and number: characters whose UTF-16 order is not their UTF-8 order (U+E000 and a
     * character past U+FFFF, written as a surrogate pair), one of two UTF-8 bytes, and ASCII.
     */
    private static final String[] SEPARATORS = {"-", "\uE000", "\uD83D\uDE00", "\u00E9"};

    /** Lines of a random day: logins of devices to users, and the three merge events, over one pool of ids. */
    static List<String> day(long seed, int events) {
        Random r = new Random(seed);
        List<String> lines = new ArrayList<>(events);
        for (int i = 0; i < events; i++) {
            long time = T + r.nextInt(600); // ~50 events per second: many ties
            String a = "id" + SEPARATORS[r.nextInt(SEPARATORS.length)] + r.nextInt(2_000);
            String b = "user" + SEPARATORS[r.nextInt(SEPARATORS.length)] + r.nextInt(750);
            lines.add(switch (r.nextInt(15)) {
                case 0 -> event("$identify", time, "\"distinct_id\":\"" + b + "\",\"$anon_distinct_id\":\"" + a
                        + "\",\"$identified_id\":\"" + b + "\"");
                case 1 -> event("$create_alias", time, "\"distinct_id\":\"" + b + "\",\"alias\":\"" + a + "\"");
                case 2 -> event("$merge", time, "\"distinct_id\":\"" + b + "\",\"$distinct_ids\":[\"" + b + "\",\"" + a
                        + "\",\"id-" + r.nextInt(2_000) + "\"]");
                case 3 -> event("Page", time, "\"distinct_id\":\"$device:" + a + "\",\"$device_id\":\"" + a + "\"");
                // a device login's two ids also reached by merge events, and logins where one of the two maps nothing
                case 10 -> event("$identify", time, "\"distinct_id\":\"" + b + "\",\"$anon_distinct_id\":\"$device:" + a
                        + "\",\"$identified_id\":\"" + b + "\"");
                case 11 -> event("$merge", time, "\"distinct_id\":\"" + b + "\",\"$distinct_ids\":[\"" + b + "\",\"$device:" + a
                        + "\",\"" + a + "\"]");
                case 12 -> event("Login", time, "\"distinct_id\":\"" + b + "\",\"$device_id\":\"$device:" + a
                        + "\",\"$user_id\":\"" + b + "\"");
                case 13 -> event("Login", time, "\"distinct_id\":\"" + a + "\",\"$device_id\":\"" + a
                        + "\",\"$user_id\":\"" + (r.nextBoolean() ? a : "$device:" + a) + "\"");
                case 14 -> event("Login", time, "\"distinct_id\":\"" + a + "\",\"$device_id\":\"" + a + "\",\"$user_id\":\"\"");
                default -> event("Login", time, "\"distinct_id\":\"" + b + "\",\"$device_id\":\"" + a
                        + "\",\"$user_id\":\"" + b + "\"");
            });
        }
        return lines;
    }

    /** The reference: every candidate of every event into one map, the earliest (then smallest resolved id) kept. */
    static List<Mapping> reference(List<String> lines) throws Exception {
        Map<String, Mapping> best = new HashMap<>();
        IdentityRules.Sink sink = (id, resolved, time) -> best.merge(id, new Mapping(id, resolved, time),
                (old, cand) -> cand.firstSeenMicros() < old.firstSeenMicros() || (cand.firstSeenMicros() == old.firstSeenMicros()
                        && HeldTableTests.compareUtf8(cand.resolvedDistinctId(), old.resolvedDistinctId()) < 0) ? cand : old);
        MixpanelEventParser parser = new MixpanelEventParser(ZoneOffset.UTC, false);
        for (String l : lines) {
            byte[] b = l.getBytes(StandardCharsets.UTF_8);
            ParsedEvent e = parser.parse(b, 0, b.length);
            if (e.deviceId() != null && e.userId() != null) {
                IdentityRules.deviceLogin(e.deviceId(), e.userId(), e.timeMicros(), sink);
            }
            IdentityRules.mergeEvent(e.eventName(), e.propertiesBuffer(), e.propertiesOffset(), e.propertiesLength(),
                    e.timeMicros(), sink);
        }
        TreeMap<String, Mapping> sorted = new TreeMap<>(HeldTableTests::compareUtf8); // by UTF-8 bytes, as Parquet orders them
        sorted.putAll(best);
        return new ArrayList<>(sorted.values());
    }

    private static void offerAll(DayIdentities ids, List<String> lines) throws Exception {
        MixpanelEventParser parser = new MixpanelEventParser(ZoneOffset.UTC, false);
        ParsedEvent e = new ParsedEvent();
        for (String l : lines) {
            byte[] b = l.getBytes(StandardCharsets.UTF_8);
            parser.parse(b, 0, b.length, e);
            ids.offer(e);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {16, 100, 1_000, 1_000_000})
    void tinyMemoryGivesTheRowsOfThePlainComputationWhateverTheOrder(int memoryLimit) throws Exception {
        List<String> lines = day(memoryLimit, 20_000);
        List<Mapping> want = reference(lines);
        assertThat(want).hasSizeGreaterThan(8_000);
        Collections.shuffle(lines, new Random(1));
        Path spill = tmp.resolve("spill");
        // at the smallest limit, runs merged 4 at a time: many levels of merges from a small day
        int fanIn = memoryLimit == 16 ? 4 : DayIdentities.FAN_IN;
        try (DayIdentities ids = new DayIdentities(spill, memoryLimit, fanIn)) {
            offerAll(ids, lines);
            assertThat(ids.spills()).isGreaterThan(want.size() / memoryLimit - 1);
            if (memoryLimit == 16) {
                assertThat(ids.spills()).as("over 256 spills: merged in four levels (4 runs, then 4 of those, ...)")
                        .isGreaterThan(4 * 4 * 4 * 4);
            }
            assertThat(ids.inMemory()).isLessThanOrEqualTo(memoryLimit);
            assertThat(rows(ids)).as("first read").isEqualTo(want);
            assertThat(rows(ids)).as("read again: nothing consumed").isEqualTo(want);
        }
        assertThat(spill).as("closed: every spill file gone").doesNotExist();

        Collections.shuffle(lines, new Random(2)); // other cuts of the runs, the same rows
        try (DayIdentities ids = new DayIdentities(spill, memoryLimit + 3)) {
            offerAll(ids, lines);
            assertThat(rows(ids)).isEqualTo(want);
        }
    }

    /** Long ids spill by their bytes before the count is reached: memory holds about 1 MiB of them, not 5,000. */
    @Test
    void longIdsSpillByTheirBytes() throws Exception {
        Random r = new Random(5);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            String device = "d" + r.nextInt(2_500) + "-" + "x".repeat(1_000);
            String user = "u" + r.nextInt(900) + "-" + "\u00E9".repeat(500);
            lines.add(event("Login", T + r.nextInt(60), "\"distinct_id\":\"" + user + "\",\"$device_id\":\"" + device
                    + "\",\"$user_id\":\"" + user + "\""));
        }
        List<Mapping> want = reference(lines);
        try (DayIdentities ids = new DayIdentities(tmp.resolve("long"), 5_000)) {
            offerAll(ids, lines);
            assertThat(ids.spills()).as("2 KB per candidate, 1 MiB held").isGreaterThanOrEqualTo(3);
            assertThat(ids.inMemory()).isLessThanOrEqualTo(520);
            assertThat(rows(ids)).isEqualTo(want);
        }
    }

    @Test
    void aResumedDayEqualsTheUninterruptedOne() throws Exception {
        List<String> lines = day(42, 20_000);
        int cut = 7_345; // the parts closed before the kill; the rest converted after the restart
        List<Mapping> want = reference(lines);
        try (DayIdentities staged = new DayIdentities(tmp.resolve("staged"), 100);
                DayIdentities rest = new DayIdentities(tmp.resolve("rest"), 100)) {
            offerAll(staged, lines.subList(0, cut));
            offerAll(rest, lines.subList(cut, lines.size()));
            rest.addAll(staged);
            assertThat(rows(rest)).isEqualTo(want);
        }
        assertThat(tmp.resolve("staged")).doesNotExist();
        assertThat(tmp.resolve("rest")).doesNotExist();
    }

    @Test
    void theSeenDevicesCacheStaysWithinItsBound() {
        SeenDevices seen = new SeenDevices(1_000);
        for (int i = 0; i < 10_000; i++) {
            byte[] d = ("device-" + i).getBytes(StandardCharsets.UTF_8);
            seen.record(d, 0, d.length, i);
            assertThat(seen.size()).isLessThanOrEqualTo(1_000);
            assertThat(seen.earlierThan(d, 0, d.length, i + 1)).isTrue();
        }
        byte[] last = "device-9999".getBytes(StandardCharsets.UTF_8);
        byte[] forgotten = "device-0".getBytes(StandardCharsets.UTF_8);
        assertThat(seen.earlierThan(last, 0, last.length, 10_000)).isTrue();
        assertThat(seen.earlierThan(forgotten, 0, forgotten.length, 10_000)).as("emptied when full").isFalse();

        // long ids: 1 MiB of keys at most, whatever the number of devices allowed
        SeenDevices longIds = new SeenDevices(1_000);
        for (int i = 0; i < 1_000; i++) {
            byte[] d = (i + "-" + "d".repeat(10_000)).getBytes(StandardCharsets.UTF_8);
            longIds.record(d, 0, d.length, i);
            assertThat(longIds.size()).isLessThanOrEqualTo(106);
            assertThat(longIds.earlierThan(d, 0, d.length, i + 1)).isTrue();
            assertThat(longIds.earlierThan(d, 0, d.length, i)).as("strictly earlier").isFalse();
        }
    }
}
