package io.mixpanelpipelines.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.convert.json.MixpanelEventParser;
import io.mixpanelpipelines.identity.DayIdentities.Mapping;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The derivation rules on events parsed by the real parser, and the "earliest of the day wins" rule. */
class DayIdentitiesTests {

    private static final long T = 1_769_904_000L; // 2026-02-01T00:00:00Z, seconds
    private final MixpanelEventParser parser = new MixpanelEventParser(ZoneOffset.UTC, false);

    @TempDir
    Path tmp;

    /** Every row of {@code ids}, read to the end and closed. */
    static List<Mapping> rows(DayIdentities ids) throws IOException {
        List<Mapping> out = new ArrayList<>();
        try (DayIdentities.Rows r = ids.rows()) {
            r.forEachRemaining(out::add);
        }
        return out;
    }

    static String event(String name, long seconds, String properties) {
        return "{\"event\":\"" + name + "\",\"properties\":{\"time\":" + seconds + (properties.isEmpty() ? "" : ",") + properties + "}}";
    }

    private void offer(DayIdentities ids, String line) throws Exception {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        ids.offer(parser.parse(b, 0, b.length));
    }

    private static Mapping m(String from, String to, long seconds) {
        return new Mapping(from, to, seconds * 1_000_000L);
    }

    @Test
    void simplifiedIdMergeMapsTheDeviceAndItsDistinctIdToTheUserAndTheEarliestLoginWins() throws Exception {
        DayIdentities ids = new DayIdentities(tmp.resolve("spill"));
        offer(ids, event("Page", T + 10, "\"distinct_id\":\"$device:d1\",\"$device_id\":\"d1\"")); // before login: nothing
        offer(ids, event("Login", T + 100, "\"distinct_id\":\"u1\",\"$device_id\":\"d1\",\"$user_id\":\"u1\""));
        offer(ids, event("Buy", T + 200, "\"distinct_id\":\"u2\",\"$device_id\":\"d1\",\"$user_id\":\"u2\"")); // later: ignored
        offer(ids, event("Page", T + 300, "\"distinct_id\":\"u1\",\"$user_id\":\"u1\"")); // no device: nothing
        assertThat(rows(ids)).containsExactly(m("$device:d1", "u1", T + 100), m("d1", "u1", T + 100));

        // an earlier login offered later (a resumed day adds its staged parts' mappings last) still wins
        offer(ids, event("Login", T + 50, "\"distinct_id\":\"u3\",\"$device_id\":\"d1\",\"$user_id\":\"u3\""));
        assertThat(rows(ids)).containsExactly(m("$device:d1", "u3", T + 50), m("d1", "u3", T + 50));
        // same time: the smallest resolved id, whatever the order
        offer(ids, event("Login", T + 50, "\"distinct_id\":\"u0\",\"$device_id\":\"d1\",\"$user_id\":\"u0\""));
        offer(ids, event("Login", T + 50, "\"distinct_id\":\"u9\",\"$device_id\":\"d1\",\"$user_id\":\"u9\""));
        assertThat(rows(ids)).containsExactly(m("$device:d1", "u0", T + 50), m("d1", "u0", T + 50));
    }

    @Test
    void originalIdMergeEventsMapWhatMixpanelDocuments() throws Exception {
        DayIdentities ids = new DayIdentities(tmp.resolve("spill"));
        offer(ids, event("$identify", T + 1, "\"distinct_id\":\"user-a\",\"$anon_distinct_id\":\"anon-a\",\"$identified_id\":\"user-a\""));
        offer(ids, event("$identify", T + 2, "\"distinct_id\":\"user-b\",\"$anon_id\":\"anon-b\",\"$identified_id\":\"user-b\""));
        offer(ids, event("$create_alias", T + 3, "\"distinct_id\":\"user-c\",\"alias\":\"c@example.com\""));
        offer(ids, event("$merge", T + 4, "\"distinct_id\":\"m1\",\"$distinct_ids\":[\"m1\",\"m2\",12345678901234567890]"));
        // not merges: another event with the same properties, ids that are empty, objects, null or the target itself
        offer(ids, event("identify", T + 5, "\"$anon_distinct_id\":\"x\",\"$identified_id\":\"y\""));
        offer(ids, event("$identify", T + 6, "\"$anon_distinct_id\":\"\",\"$identified_id\":\"y\""));
        offer(ids, event("$identify", T + 7, "\"$anon_distinct_id\":{\"a\":1},\"$identified_id\":\"y\""));
        offer(ids, event("$create_alias", T + 8, "\"distinct_id\":\"same\",\"alias\":\"same\""));
        offer(ids, event("$merge", T + 9, "\"$distinct_ids\":null"));
        offer(ids, event("$create_alias", T + 10, "\"distinct_id\":null,\"alias\":\"z\""));
        assertThat(rows(ids)).containsExactly(
                m("12345678901234567890", "m1", T + 4),
                m("anon-a", "user-a", T + 1),
                m("anon-b", "user-b", T + 2),
                m("c@example.com", "user-c", T + 3),
                m("m2", "m1", T + 4));
    }

    @Test
    void rareJsonValuesInIdsAreTakenDecodedOrAsTheirJsonText() throws Exception {
        DayIdentities ids = new DayIdentities(tmp.resolve("spill"));
        // escapes (NUL, an emoji as a surrogate pair), a number as the device id, a boolean user id
        offer(ids, event("Login", T + 1, "\"$device_id\":\"d\\u0000\\ud83d\\ude00\",\"$user_id\":\"u\\\"q\\\\\""));
        offer(ids, event("Login", T + 2, "\"$device_id\":42,\"$user_id\":true"));
        // a lone surrogate: the event is kept with U+FFFD in its decoded columns, and so in its mappings
        offer(ids, event("$identify", T + 3, "\"$anon_distinct_id\":\"a\\ud800\",\"$identified_id\":\"\u00e9\u4e2d\""));
        assertThat(rows(ids)).containsExactlyInAnyOrder(
                m("d\u0000\ud83d\ude00", "u\"q\\", T + 1), m("$device:d\u0000\ud83d\ude00", "u\"q\\", T + 1),
                m("42", "true", T + 2), m("$device:42", "true", T + 2),
                m("a\ufffd", "\u00e9\u4e2d", T + 3));
    }

    @Test
    void aDayMappingMoreIdsThanItHoldsInMemorySpillsThemAndMapsEveryId() throws Exception {
        Path spill = tmp.resolve("spill");
        // a device's login holds one candidate for both its ids (the device id and its $device: form)
        DayIdentities ids = new DayIdentities(spill, 2);
        offer(ids, event("Login", T + 1, "\"distinct_id\":\"u1\",\"$device_id\":\"d1\",\"$user_id\":\"u1\""));
        offer(ids, event("Login", T + 2, "\"distinct_id\":\"u2\",\"$device_id\":\"d2\",\"$user_id\":\"u2\""));
        assertThat(ids.spills()).isZero();
        assertThat(ids.inMemory()).isEqualTo(2); // the limit itself is held
        assertThat(spill).as("nothing spilled, no folder").doesNotExist();
        offer(ids, event("Login", T + 3, "\"distinct_id\":\"u3\",\"$device_id\":\"d3\",\"$user_id\":\"u3\""));
        assertThat(ids.spills()).isEqualTo(1);
        assertThat(ids.inMemory()).isEqualTo(1);
        // d1 again, earlier and by another user: wins over its spilled candidate
        offer(ids, event("Login", T, "\"distinct_id\":\"u0\",\"$device_id\":\"d1\",\"$user_id\":\"u0\""));
        assertThat(rows(ids)).containsExactly(m("$device:d1", "u0", T), m("$device:d2", "u2", T + 2),
                m("$device:d3", "u3", T + 3), m("d1", "u0", T), m("d2", "u2", T + 2), m("d3", "u3", T + 3));

        DayIdentities resumed = new DayIdentities(tmp.resolve("resumed"), 2);
        offer(resumed, event("Login", T + 5, "\"distinct_id\":\"u5\",\"$device_id\":\"d5\",\"$user_id\":\"u5\""));
        offer(resumed, event("Login", T + 5, "\"distinct_id\":\"u6\",\"$device_id\":\"d3\",\"$user_id\":\"u6\""));
        resumed.addAll(ids);
        assertThat(rows(resumed)).containsExactly(m("$device:d1", "u0", T), m("$device:d2", "u2", T + 2),
                m("$device:d3", "u3", T + 3), m("$device:d5", "u5", T + 5), m("d1", "u0", T), m("d2", "u2", T + 2),
                m("d3", "u3", T + 3), m("d5", "u5", T + 5));

        ids.clear();
        assertThat(spill).as("clear deletes the spilled runs").doesNotExist();
        assertThat(ids.spills()).isZero();
        offer(ids, event("Login", T + 6, "\"distinct_id\":\"u6\",\"$device_id\":\"d6\",\"$user_id\":\"u6\""));
        assertThat(rows(ids)).containsExactly(m("$device:d6", "u6", T + 6), m("d6", "u6", T + 6));
        resumed.close();
        assertThat(tmp.resolve("resumed")).doesNotExist();
    }

    @Test
    void filesAKilledProcessLeftInTheSpillFolderAreDeletedAndNeverRead() throws Exception {
        Path spill = tmp.resolve("spill");
        Files.createDirectories(spill);
        // a run of the killed process (same name as this one's first), and a half-written one
        Files.writeString(spill.resolve("run-0-0.bin"), "mp-idrun2\n\u0004zz\u0002yy\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000");
        Files.writeString(spill.resolve("run-0-1.bin"), "mp-idr");
        DayIdentities ids = new DayIdentities(spill, 1);
        offer(ids, event("Login", T + 1, "\"distinct_id\":\"u1\",\"$device_id\":\"d1\",\"$user_id\":\"u1\""));
        offer(ids, event("Login", T + 2, "\"distinct_id\":\"u2\",\"$device_id\":\"d2\",\"$user_id\":\"u2\""));
        assertThat(ids.spills()).isEqualTo(1);
        try (var files = Files.list(spill)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("run-0-0.bin");
        }
        assertThat(rows(ids)).extracting(Mapping::distinctId).containsExactly("$device:d1", "$device:d2", "d1", "d2");
        ids.close();
        assertThat(spill).doesNotExist();
    }

    @Test
    void theMemoryLimitDefaultsTo20000AndABadSettingIsRefusedByName() {
        String before = System.getProperty("pipelines.identity.maxIdsPerDay");
        try {
            System.clearProperty("pipelines.identity.maxIdsPerDay");
            if (System.getenv("PIPELINES_IDENTITY_MAX_IDS_PER_DAY") == null) {
                assertThat(DayIdentities.memoryLimit()).isEqualTo(20_000);
            }
            System.setProperty("pipelines.identity.maxIdsPerDay", "2_000_000");
            assertThat(DayIdentities.memoryLimit()).isEqualTo(2_000_000);
            System.setProperty("pipelines.identity.maxIdsPerDay", "0");
            org.assertj.core.api.Assertions.assertThatThrownBy(DayIdentities::memoryLimit)
                    .hasMessageContaining("PIPELINES_IDENTITY_MAX_IDS_PER_DAY=0");
        } finally {
            if (before == null) {
                System.clearProperty("pipelines.identity.maxIdsPerDay");
            } else {
                System.setProperty("pipelines.identity.maxIdsPerDay", before);
            }
        }
    }
}
