package io.mixpanelpipelines.identity;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

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
 * boolean as its JSON text (as the events' {@code distinct_id} column holds it); objects, arrays and null map
 * nothing. Which candidate wins is {@link DayIdentities}' business. Stateless and thread-safe.
 */
public final class IdentityRules {

    public static final String IDENTIFY = "$identify";
    public static final String CREATE_ALIAS = "$create_alias";
    public static final String MERGE = "$merge";
    public static final String DEVICE_PREFIX = "$device:";

    private static final JsonMapper JSON = JsonMapper.builder().build();

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

    /** Whether an event of this name can carry Original ID Merge mappings in its properties. */
    public static boolean isMergeEvent(String eventName) {
        return IDENTIFY.equals(eventName) || CREATE_ALIAS.equals(eventName) || MERGE.equals(eventName);
    }

    /**
     * Original ID Merge: the mappings of a {@code $identify}, {@code $create_alias} or {@code $merge}
     * event, from its properties JSON ({@code properties[offset..offset+length)}); other events and
     * properties that are not an object map nothing.
     */
    public static void mergeEvent(String eventName, byte[] properties, int offset, int length, long timeMicros, Sink sink) {
        if (!isMergeEvent(eventName) || properties == null || length <= 0) {
            return;
        }
        JsonNode p;
        try {
            p = JSON.readTree(properties, offset, length);
        } catch (RuntimeException e) {
            return; // published properties are valid JSON; a repaired oddity maps nothing rather than failing the day
        }
        if (p == null || !p.isObject()) {
            return;
        }
        switch (eventName) {
            case IDENTIFY -> {
                String anon = text(p.get("$anon_distinct_id"));
                map(anon != null ? anon : text(p.get("$anon_id")), text(p.get("$identified_id")), timeMicros, sink);
            }
            case CREATE_ALIAS -> map(text(p.get("alias")), text(p.get("distinct_id")), timeMicros, sink);
            default -> {
                JsonNode ids = p.get("$distinct_ids");
                if (ids == null || !ids.isArray() || ids.isEmpty()) {
                    return;
                }
                String canonical = text(ids.get(0));
                for (int i = 1; i < ids.size(); i++) {
                    map(text(ids.get(i)), canonical, timeMicros, sink);
                }
            }
        }
    }

    private static void map(String from, String to, long timeMicros, Sink sink) {
        if (from != null && to != null && !from.isEmpty() && !to.isEmpty() && !from.equals(to)) {
            sink.map(from, to, timeMicros);
        }
    }

    private static String text(JsonNode n) {
        if (n == null || n.isNull() || n.isContainer()) {
            return null;
        }
        return n.isString() ? n.stringValue() : n.toString();
    }
}
