package io.mixpanelpipelines.simulator;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The simulated project's user profiles (and group profiles): deterministic from the seed, each a
 * {@code $distinct_id} and a {@code $properties} object kept as raw JSON text per property, so that rare
 * values (from the JSON test suite) are served byte for byte. One profile in twenty (by default) has no
 * {@code $last_seen}; the others are spread over the 400 days before {@code newest}, with a cluster in
 * the last week (like real projects: most activity is recent). {@link #touch} replaces profiles as a
 * whole, so a reader sees the list before or after. Thread-safe.
 */
final class ProfileCatalog {

    static final DateTimeFormatter LAST_SEEN = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");
    private static final long SPREAD_SECONDS = 400L * 86_400;

    /** One profile: its id and its properties, each value raw JSON text. */
    record Profile(String distinctId, Map<String, String> properties) {

        /** The {@code $last_seen} text (unquoted), or null when the profile has none. */
        String lastSeen() {
            String raw = properties.get("$last_seen");
            return raw == null ? null : raw.substring(1, raw.length() - 1);
        }

        /** {@code $properties} as served: only {@code output} names when not null, in catalog order. */
        String propertiesJson(List<String> output) {
            StringBuilder sb = new StringBuilder("{");
            for (Map.Entry<String, String> e : properties.entrySet()) {
                if (output == null || output.contains(e.getKey())) {
                    if (sb.length() > 1) {
                        sb.append(',');
                    }
                    Json.plainString(sb, e.getKey()).append(':').append(e.getValue());
                }
            }
            return sb.append('}').toString();
        }
    }

    private volatile List<Profile> users;
    private final long seed;
    private final Instant newest;
    private final int unseenEvery;

    /**
     * @param count user profiles
     * @param rareValues raw JSON values; profile {@code i < rareValues.size()} carries value {@code i} as
     *     property {@code rare}
     * @param newest the latest {@code $last_seen}
     * @param unseenEvery every {@code unseenEvery}th user has no {@code $last_seen} (1: none has one)
     */
    ProfileCatalog(int count, long seed, Instant newest, List<String> rareValues, int unseenEvery) {
        this.seed = seed;
        this.newest = newest;
        this.unseenEvery = unseenEvery;
        List<Profile> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            list.add(profile("user-" + i, i, i < rareValues.size() ? rareValues.get(i) : null));
        }
        this.users = List.copyOf(list);
    }

    List<Profile> users() {
        return users;
    }

    /**
     * Sets the {@code $last_seen} of every {@code nth} user (from the first) to {@code at}, as activity
     * would; returns their distinct ids. Queries started before keep what they matched.
     */
    synchronized List<String> touch(int nth, Instant at) {
        List<Profile> next = new ArrayList<>(users);
        List<String> touched = new ArrayList<>();
        for (int i = 0; i < next.size(); i += Math.max(1, nth)) {
            Map<String, String> p = new LinkedHashMap<>(next.get(i).properties());
            p.put("$last_seen", quoted(LAST_SEEN.format(LocalDateTime.ofEpochSecond(at.getEpochSecond(), 0, ZoneOffset.UTC))));
            next.set(i, new Profile(next.get(i).distinctId(), p));
            touched.add(next.get(i).distinctId());
        }
        users = List.copyOf(next);
        return touched;
    }

    /** The profiles of group {@code dataGroupId}: one per ten users, keyed by the group key. */
    List<Profile> groups(String dataGroupId) {
        List<Profile> list = new ArrayList<>();
        for (int i = 0; i < users.size() / 10; i++) {
            list.add(profile(dataGroupId + "-" + i, i + 1_000_000_007L * dataGroupId.hashCode(), null));
        }
        return list;
    }

    /**
     * The members of cohort {@code id}: every user whose index is a multiple of {@code id}, plus, when
     * {@code includeAllUsers}, members that have no profile (their {@code $properties} is empty), as
     * Mixpanel's {@code include_all_users} documents.
     */
    List<Profile> cohort(long id, boolean includeAllUsers) {
        List<Profile> list = new ArrayList<>();
        for (int i = 0; i < users.size(); i += (int) Math.max(1, id)) {
            list.add(users.get(i));
        }
        if (includeAllUsers) {
            for (int i = 0; i < Math.max(1, users.size() / 100); i++) {
                list.add(new Profile("anonymous-" + id + "-" + i, Map.of()));
            }
        }
        return list;
    }

    private Profile profile(String id, long index, String rare) {
        SplittableRandom r = new SplittableRandom(seed * 31 + index);
        Map<String, String> p = new LinkedHashMap<>();
        p.put("$name", quoted("Person " + index));
        p.put("$email", quoted("person" + index + "@example.com"));
        p.put("plan", quoted(switch (r.nextInt(3)) {
            case 0 -> "free";
            case 1 -> "team";
            default -> "enterprise";
        }));
        p.put("seats", Integer.toString(r.nextInt(1, 500)));
        p.put("score", Double.toString(r.nextInt(100_000) / 100.0));
        p.put("tags", "[\"a\",\"b\"]");
        p.put("$city", quoted(r.nextBoolean() ? "Zürich" : "東京"));
        if (index % unseenEvery != unseenEvery - 1) {
            long back = r.nextInt(4) == 0 ? r.nextLong(7L * 86_400) : r.nextLong(SPREAD_SECONDS);
            p.put("$last_seen", quoted(LAST_SEEN.format(LocalDateTime.ofEpochSecond(newest.getEpochSecond() - back, 0, ZoneOffset.UTC))));
        }
        if (rare != null) {
            p.put("rare", rare);
        }
        return new Profile(id, p);
    }

    private static String quoted(String text) {
        return Json.plainString(new StringBuilder(), text).toString();
    }
}
