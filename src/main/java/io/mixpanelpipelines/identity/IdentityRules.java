package io.mixpanelpipelines.identity;

import io.mixpanelpipelines.convert.json.JsonObjectMembers;
import io.mixpanelpipelines.convert.json.MalformedEventException;
import io.mixpanelpipelines.convert.json.Utf8Text;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Turns one event into the identity mappings it establishes, as Mixpanel documents them:
 * <ul>
 * <li>Simplified ID Merge: an event with both {@code $device_id} and {@code $user_id} maps
 *     {@code $device:<device_id>} and the bare device id to the user id.</li>
 * <li>Original ID Merge: {@code $identify} maps {@code $anon_distinct_id} (as the SDKs send it; the HTTP
 *     API's {@code $anon_id} too) to {@code $identified_id}; {@code $create_alias} maps {@code alias} to
 *     {@code distinct_id}; {@code $merge} maps every id of {@code $distinct_ids} but the first to the first
 *     (Mixpanel picks a cluster's canonical id itself and does not say which: ours is a choice).</li>
 * </ul>
 * Ids that are absent, empty or equal to their target map nothing. A string id is taken decoded; a number or
 * boolean as its JSON text as written (as the events' {@code distinct_id} column holds it); objects, arrays
 * and null map nothing. Which candidate wins is {@link DayIdentities}' business. Stateless and thread-safe.
 */
public final class IdentityRules {

    public static final String IDENTIFY = "$identify";
    public static final String CREATE_ALIAS = "$create_alias";
    public static final String MERGE = "$merge";
    public static final String DEVICE_PREFIX = "$device:";

    private static final byte[] ANON_DISTINCT_ID = utf8("$anon_distinct_id");
    private static final byte[] ANON_ID = utf8("$anon_id");
    private static final byte[] IDENTIFIED_ID = utf8("$identified_id");
    private static final byte[] ALIAS = utf8("alias");
    private static final byte[] DISTINCT_ID = utf8("distinct_id");
    private static final byte[] DISTINCT_IDS = utf8("$distinct_ids");

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private IdentityRules() {
    }

    /** Where a derived mapping goes. */
    @FunctionalInterface
    public interface Sink {
        void map(String distinctId, String resolvedDistinctId, long timeMicros);
    }

    /** Simplified ID Merge: both ids present. */
    public static void deviceLogin(String deviceId, String userId, long timeMicros, Sink sink) {
        if (deviceId == null || deviceId.isEmpty()) {
            return;
        }
        map(deviceId, userId, timeMicros, sink);
        if (!deviceId.startsWith(DEVICE_PREFIX)) {
            map(DEVICE_PREFIX + deviceId, userId, timeMicros, sink);
        }
    }

    private static final String[] MERGE_EVENTS = {IDENTIFY, CREATE_ALIAS, MERGE};
    private static final byte[][] MERGE_EVENT_BYTES = {
        IDENTIFY.getBytes(StandardCharsets.UTF_8), CREATE_ALIAS.getBytes(StandardCharsets.UTF_8), MERGE.getBytes(StandardCharsets.UTF_8)};

    /**
     * Which merge event an event name is, from its UTF-8 bytes without building a string: 1, 2 or 3 (its
     * {@link #mergeEventName}), or 0 for every other event.
     */
    static int mergeKind(Utf8Text name) {
        if (!name.present() || name.length() < 6 || name.bytes()[name.offset()] != '$') {
            return 0;
        }
        for (int k = 0; k < MERGE_EVENT_BYTES.length; k++) {
            byte[] m = MERGE_EVENT_BYTES[k];
            if (m.length == name.length()
                    && Arrays.equals(m, 0, m.length, name.bytes(), name.offset(), name.offset() + name.length())) {
                return k + 1;
            }
        }
        return 0;
    }

    /** The name of the merge event of {@link #mergeKind} {@code kind} (1, 2 or 3). */
    static String mergeEventName(int kind) {
        return MERGE_EVENTS[kind - 1];
    }

    /** Whether an event of this name can carry Original ID Merge mappings in its properties. */
    public static boolean isMergeEvent(String eventName) {
        return IDENTIFY.equals(eventName) || CREATE_ALIAS.equals(eventName) || MERGE.equals(eventName);
    }

    /**
     * Original ID Merge: the mappings of a {@code $identify}, {@code $create_alias} or {@code $merge}
     * event, from its properties JSON ({@code properties[offset..offset+length)}); other events and
     * properties that are not an object map nothing. Read with the events' own scanner ({@link JsonObjectMembers}):
     * only the top-level values named below are read, every other value is validated and skipped (a property
     * repeated: its last value counts).
     */
    public static void mergeEvent(String eventName, byte[] properties, int offset, int length, long timeMicros, Sink sink) {
        if (!isMergeEvent(eventName) || properties == null || length <= 0) {
            return;
        }
        String anon = null;
        String anonId = null;
        String identified = null;
        String alias = null;
        String distinctId = null;
        List<String> ids = null;
        try {
            JsonObjectMembers m = new JsonObjectMembers(properties, offset, length);
            while (m.next()) { // what another kind of merge event reads here is not used
                if (m.nameIs(ANON_DISTINCT_ID)) {
                    anon = m.text();
                } else if (m.nameIs(ANON_ID)) {
                    anonId = m.text();
                } else if (m.nameIs(IDENTIFIED_ID)) {
                    identified = m.text();
                } else if (m.nameIs(ALIAS)) {
                    alias = m.text();
                } else if (m.nameIs(DISTINCT_ID)) {
                    distinctId = m.text();
                } else if (m.nameIs(DISTINCT_IDS)) {
                    ids = m.texts();
                }
            }
        } catch (MalformedEventException | RuntimeException e) {
            return; // published properties are valid JSON; a repaired oddity maps nothing rather than failing the day
        }
        switch (eventName) {
            case IDENTIFY -> map(anon != null ? anon : anonId, identified, timeMicros, sink);
            case CREATE_ALIAS -> map(alias, distinctId, timeMicros, sink);
            default -> {
                if (ids == null || ids.isEmpty()) {
                    return;
                }
                String canonical = ids.get(0);
                for (int i = 1; i < ids.size(); i++) {
                    map(ids.get(i), canonical, timeMicros, sink);
                }
            }
        }
    }

    private static void map(String from, String to, long timeMicros, Sink sink) {
        if (from != null && to != null && !from.isEmpty() && !to.isEmpty() && !from.equals(to)) {
            sink.map(from, to, timeMicros);
        }
    }
}
