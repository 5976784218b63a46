package io.mixpanelpipelines.identity;

import io.mixpanelpipelines.convert.json.ParsedEvent;
import io.mixpanelpipelines.convert.json.Utf8Text;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One event day's candidate identity mappings: at most one per {@code distinct_id}, the earliest of the day
 * (smallest event time; ties: smallest resolved id), so the result does not depend on the order events are
 * offered in (a day resumed from a checkpoint adds its staged parts' candidates to those of the rest).
 *
 * <p><b>Memory:</b> one entry per mapped id of the day: two per device that logged in that day (the device
 * id and {@code $device:<id>}) plus the ids of the day's merge events, and one {@link SeenDevices} entry per
 * device: measured 377 bytes per logged-in device with 36-character ids for the map, about 100-150 more
 * for the table, so a day with a million logged-in devices holds about 500 MB until the day is written.
 * Not thread-safe: one per day step.
 */
public final class DayIdentities implements IdentityRules.Sink {

    private static final byte[][] MERGE_EVENTS = {
        IdentityRules.IDENTIFY.getBytes(StandardCharsets.UTF_8),
        IdentityRules.CREATE_ALIAS.getBytes(StandardCharsets.UTF_8),
        IdentityRules.MERGE.getBytes(StandardCharsets.UTF_8)};

    /** A winning candidate so far. */
    public record Mapping(String distinctId, String resolvedDistinctId, long firstSeenMicros) {
    }

    private final Map<String, Mapping> byId = new HashMap<>();
    private final SeenDevices seen = new SeenDevices();

    /**
     * Adds the mappings {@code event} establishes ({@link IdentityRules}). Allocates only for a merge event
     * or a device's login that may win: a later event of a device already seen logged in earlier that day
     * is passed over on its bytes.
     */
    public void offer(ParsedEvent event) {
        Utf8Text device = event.deviceIdText();
        if (device.present() && event.userIdText().present()) {
            long t = event.timeMicros();
            if (!seen.earlierThan(device.bytes(), device.offset(), device.length(), t)) {
                IdentityRules.deviceLogin(event.deviceId(), event.userId(), t, this);
                seen.record(device.bytes(), device.offset(), device.length(), t);
            }
        }
        if (isMergeEvent(event.eventNameText())) {
            IdentityRules.mergeEvent(event.eventName(), event.propertiesBuffer(), event.propertiesOffset(),
                    event.propertiesLength(), event.timeMicros(), this);
        }
    }

    private static boolean isMergeEvent(Utf8Text name) {
        if (!name.present() || name.length() < 6 || name.bytes()[name.offset()] != '$') {
            return false;
        }
        for (byte[] m : MERGE_EVENTS) {
            if (m.length == name.length() && java.util.Arrays.equals(m, 0, m.length, name.bytes(), name.offset(),
                    name.offset() + name.length())) {
                return true;
            }
        }
        return false;
    }

    /** Keeps the earlier of this and the candidate held for {@code distinctId}. */
    @Override
    public void map(String distinctId, String resolvedDistinctId, long timeMicros) {
        Mapping held = byId.get(distinctId);
        if (held == null || timeMicros < held.firstSeenMicros()
                || (timeMicros == held.firstSeenMicros() && resolvedDistinctId.compareTo(held.resolvedDistinctId()) < 0)) {
            byId.put(distinctId, new Mapping(distinctId, resolvedDistinctId, timeMicros));
        }
    }

    /** Adds every candidate of {@code other}, by the same rule. */
    public void addAll(DayIdentities other) {
        other.byId.values().forEach(m -> map(m.distinctId(), m.resolvedDistinctId(), m.firstSeenMicros()));
    }

    public int size() {
        return byId.size();
    }

    public void clear() {
        byId.clear();
        seen.clear();
    }

    /** The day's rows ordered by {@code distinct_id} (a rerun of the same events writes the same file). */
    public List<Mapping> rows() {
        List<Mapping> rows = new ArrayList<>(byId.values());
        rows.sort((a, b) -> a.distinctId().compareTo(b.distinctId()));
        return rows;
    }
}
