package io.mixpanelpipelines.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.convert.json.MixpanelEventParser;
import io.mixpanelpipelines.identity.DayIdentities.Mapping;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The derivation rules on events parsed by the real parser, and the "earliest of the day wins" rule. */
class DayIdentitiesTests {

    private static final long T = 1_769_904_000L; // 2026-02-01T00:00:00Z, seconds
    private final MixpanelEventParser parser = new MixpanelEventParser(ZoneOffset.UTC, false);

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
        DayIdentities ids = new DayIdentities();
        offer(ids, event("Page", T + 10, "\"distinct_id\":\"$device:d1\",\"$device_id\":\"d1\"")); // before login: nothing
        offer(ids, event("Login", T + 100, "\"distinct_id\":\"u1\",\"$device_id\":\"d1\",\"$user_id\":\"u1\""));
        offer(ids, event("Buy", T + 200, "\"distinct_id\":\"u2\",\"$device_id\":\"d1\",\"$user_id\":\"u2\"")); // later: ignored
        offer(ids, event("Page", T + 300, "\"distinct_id\":\"u1\",\"$user_id\":\"u1\"")); // no device: nothing
        assertThat(ids.rows()).containsExactly(m("$device:d1", "u1", T + 100), m("d1", "u1", T + 100));

        // an earlier login offered later (a resumed day adds its staged parts' mappings last) still wins
        offer(ids, event("Login", T + 50, "\"distinct_id\":\"u3\",\"$device_id\":\"d1\",\"$user_id\":\"u3\""));
        assertThat(ids.rows()).containsExactly(m("$device:d1", "u3", T + 50), m("d1", "u3", T + 50));
        // same time: the smallest resolved id, whatever the order
        offer(ids, event("Login", T + 50, "\"distinct_id\":\"u0\",\"$device_id\":\"d1\",\"$user_id\":\"u0\""));
        offer(ids, event("Login", T + 50, "\"distinct_id\":\"u9\",\"$device_id\":\"d1\",\"$user_id\":\"u9\""));
        assertThat(ids.rows()).containsExactly(m("$device:d1", "u0", T + 50), m("d1", "u0", T + 50));
    }

    @Test
    void originalIdMergeEventsMapWhatMixpanelDocuments() throws Exception {
        DayIdentities ids = new DayIdentities();
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
        assertThat(ids.rows()).containsExactly(
                m("12345678901234567890", "m1", T + 4),
                m("anon-a", "user-a", T + 1),
                m("anon-b", "user-b", T + 2),
                m("c@example.com", "user-c", T + 3),
                m("m2", "m1", T + 4));
    }

    @Test
    void rareJsonValuesInIdsAreTakenDecodedOrAsTheirJsonText() throws Exception {
        DayIdentities ids = new DayIdentities();
        // escapes (NUL, an emoji as a surrogate pair), a number as the device id, a boolean user id
        offer(ids, event("Login", T + 1, "\"$device_id\":\"d\\u0000\\ud83d\\ude00\",\"$user_id\":\"u\\\"q\\\\\""));
        offer(ids, event("Login", T + 2, "\"$device_id\":42,\"$user_id\":true"));
        // a lone surrogate: the event is kept with U+FFFD in its decoded columns, and so in its mappings
        offer(ids, event("$identify", T + 3, "\"$anon_distinct_id\":\"a\\ud800\",\"$identified_id\":\"\u00e9\u4e2d\""));
        assertThat(ids.rows()).containsExactlyInAnyOrder(
                m("d\u0000\ud83d\ude00", "u\"q\\", T + 1), m("$device:d\u0000\ud83d\ude00", "u\"q\\", T + 1),
                m("42", "true", T + 2), m("$device:42", "true", T + 2),
                m("a\ufffd", "\u00e9\u4e2d", T + 3));
    }

    @Test
    void aDayMappingMoreIdsThanItsBoundGivesItsMappingsUpInsteadOfGrowingWithoutEnd() throws Exception {
        DayIdentities ids = new DayIdentities(4);
        offer(ids, event("Login", T + 1, "\"distinct_id\":\"u1\",\"$device_id\":\"d1\",\"$user_id\":\"u1\""));
        offer(ids, event("Login", T + 2, "\"distinct_id\":\"u2\",\"$device_id\":\"d2\",\"$user_id\":\"u2\""));
        assertThat(ids.overflowed()).isFalse();
        assertThat(ids.size()).isEqualTo(4); // the bound itself is allowed
        offer(ids, event("Login", T + 3, "\"distinct_id\":\"u3\",\"$device_id\":\"d3\",\"$user_id\":\"u3\""));
        assertThat(ids.overflowed()).isTrue();
        assertThat(ids.rows()).as("nothing half-kept").isEmpty();
        offer(ids, event("Login", T + 4, "\"distinct_id\":\"u4\",\"$device_id\":\"d4\",\"$user_id\":\"u4\""));
        assertThat(ids.rows()).isEmpty();

        DayIdentities resumed = new DayIdentities(4);
        offer(resumed, event("Login", T + 5, "\"distinct_id\":\"u5\",\"$device_id\":\"d5\",\"$user_id\":\"u5\""));
        resumed.addAll(ids);
        assertThat(resumed.overflowed()).as("the overflow of parts read back carries over").isTrue();
        assertThat(resumed.rows()).isEmpty();

        ids.clear();
        assertThat(ids.overflowed()).isFalse();
        offer(ids, event("Login", T + 6, "\"distinct_id\":\"u6\",\"$device_id\":\"d6\",\"$user_id\":\"u6\""));
        assertThat(ids.rows()).containsExactly(m("$device:d6", "u6", T + 6), m("d6", "u6", T + 6));
    }

    @Test
    void theBoundDefaultsTo150000AndABadSettingIsRefusedByName() {
        String before = System.getProperty("pipelines.identity.maxIdsPerDay");
        try {
            System.clearProperty("pipelines.identity.maxIdsPerDay");
            if (System.getenv("PIPELINES_IDENTITY_MAX_IDS_PER_DAY") == null) {
                assertThat(DayIdentities.maxIds()).isEqualTo(150_000);
            }
            System.setProperty("pipelines.identity.maxIdsPerDay", "2_000_000");
            assertThat(DayIdentities.maxIds()).isEqualTo(2_000_000);
            System.setProperty("pipelines.identity.maxIdsPerDay", "0");
            org.assertj.core.api.Assertions.assertThatThrownBy(DayIdentities::maxIds)
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
