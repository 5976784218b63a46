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
 * for the table, so a day with a million logged-in devices would hold about 500 MB until the day is written.
 * So a day holds at most {@link #maxIds()} ids ({@code PIPELINES_IDENTITY_MAX_IDS_PER_DAY}, or
 * {@code -Dpipelines.identity.maxIdsPerDay}; default 150,000, about 40 MB): past it the day's mappings are
 * given up ({@link #overflowed()}: its events are published as always, its mappings are not, and
 * {@code status} lists it among the days without current mappings) rather than running the heap out.
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

    private static final int DEFAULT_MAX_IDS = 150_000;

    private final Map<String, Mapping> byId = new HashMap<>();
    private final SeenDevices seen = new SeenDevices();
    private final int maxIds;
    private boolean overflowed;

    public DayIdentities() {
        this(maxIds());
    }

    /** @param maxIds the most ids the day may map before its mappings are given up */
    public DayIdentities(int maxIds) {
        if (maxIds < 1) {
            throw new IllegalArgumentException("maxIds must be positive: " + maxIds);
        }
        this.maxIds = maxIds;
    }

    /** The configured bound: {@code -Dpipelines.identity.maxIdsPerDay}, else {@code PIPELINES_IDENTITY_MAX_IDS_PER_DAY}, else 150,000. */
    public static int maxIds() {
        String v = System.getProperty("pipelines.identity.maxIdsPerDay", System.getenv("PIPELINES_IDENTITY_MAX_IDS_PER_DAY"));
        if (v == null || v.isBlank()) {
            return DEFAULT_MAX_IDS;
        }
        try {
            int n = Integer.parseInt(v.strip().replace("_", ""));
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("PIPELINES_IDENTITY_MAX_IDS_PER_DAY=" + v + " is not a positive whole number");
        }
    }

    /** Whether the day mapped more than its bound of ids: its candidates were dropped and it has no mappings. */
    public boolean overflowed() {
        return overflowed;
    }

    public int limit() {
        return maxIds;
    }

    /**
     * Adds the mappings {@code event} establishes ({@link IdentityRules}). Allocates only for a merge event
     * or a device's login that may win: a later event of a device already seen logged in earlier that day
     * is passed over on its bytes.
     */
    public void offer(ParsedEvent event) {
        if (overflowed) {
            return;
        }
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
        if (overflowed) {
            return;
        }
        Mapping held = byId.get(distinctId);
        if (held == null && byId.size() >= maxIds) {
            overflow();
            return;
        }
        if (held == null || timeMicros < held.firstSeenMicros()
                || (timeMicros == held.firstSeenMicros() && resolvedDistinctId.compareTo(held.resolvedDistinctId()) < 0)) {
            byId.put(distinctId, new Mapping(distinctId, resolvedDistinctId, timeMicros));
        }
    }

    /** Adds every candidate of {@code other}, by the same rule. */
    public void addAll(DayIdentities other) {
        if (other.overflowed) {
            overflow();
            return;
        }
        other.byId.values().forEach(m -> map(m.distinctId(), m.resolvedDistinctId(), m.firstSeenMicros()));
    }

    public int size() {
        return byId.size();
    }

    public void clear() {
        byId.clear();
        seen.clear();
        overflowed = false;
    }

    private void overflow() {
        overflowed = true;
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
