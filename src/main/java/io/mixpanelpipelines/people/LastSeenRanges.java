package io.mixpanelpipelines.people;

import io.mixpanelpipelines.state.PeopleQueryRecord;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * How a snapshot's profiles are split into independent engage queries, and the {@code where} of each.
 * A full snapshot starts with two: every profile with a {@code $last_seen} and every profile without one.
 * When page 0 of a range says it matches more than a query should read in one session, the range is cut
 * at quantiles of the {@code $last_seen} values page 0 carried (a sample of the range), into parts of about
 * half the limit each, so that one cut nearly always suffices; with too small a sample it is halved in
 * time. The profiles without {@code $last_seen} are cut by {@link DistinctIdRanges} instead. {@code $last_seen} is compared as Mixpanel's text form {@code yyyy-MM-ddTHH:mm:ss} (UTC), which
 * sorts like the time. Stateless; thread-safe.
 */
final class LastSeenRanges {

    static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");
    /** Where an open lower bound is taken to start when a range is halved in time (before Mixpanel existed). */
    private static final long EARLIEST = LocalDateTime.of(2008, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC);
    private static final int MAX_PARTS = 64;

    private LastSeenRanges() {
    }

    /** The queries a full snapshot starts with. */
    static List<PeopleQueryRecord> full() {
        return List.of(PeopleQueryRecord.pending(null, null, false), PeopleQueryRecord.pending(null, null, true));
    }

    /** The query of changes mode: profiles whose {@code $last_seen} is at or after {@code since}. */
    static List<PeopleQueryRecord> changes(String since) {
        return List.of(PeopleQueryRecord.pending(since, null, false));
    }

    /** The engage {@code where} of a query. */
    static String where(PeopleQueryRecord q) {
        if (q.unset()) {
            // the profiles without $last_seen, within distinct-id bounds once they were split (DistinctIdRanges)
            List<String> terms = new ArrayList<>(List.of("not defined(properties[\"$last_seen\"])"));
            terms.addAll(DistinctIdRanges.terms(q));
            return String.join(" and ", terms);
        }
        List<String> terms = new ArrayList<>();
        if (q.lower() != null) {
            terms.add("properties[\"$last_seen\"] >= \"" + q.lower() + "\"");
        }
        if (q.upper() != null) {
            terms.add("properties[\"$last_seen\"] < \"" + q.upper() + "\"");
        }
        return terms.isEmpty() ? "defined(properties[\"$last_seen\"])" : String.join(" and ", terms);
    }

    /**
     * Whether a query can be split in time: not the profiles without {@code $last_seen} (those are cut by
     * {@link DistinctIdRanges}), not a range under two seconds.
     */
    static boolean splittable(PeopleQueryRecord q, Instant now) {
        if (q.unset()) {
            return false;
        }
        return seconds(q.upper(), now, true) - seconds(q.lower(), now, false) >= 2;
    }

    /**
     * Cuts {@code q} into parts expected to match at most half of {@code maxRows} each.
     *
     * @param total what page 0 said the range matches
     * @param sample the {@code $last_seen} texts of page 0's profiles (any order)
     */
    static List<PeopleQueryRecord> split(PeopleQueryRecord q, long total, List<String> sample, long maxRows, Instant now) {
        int parts = (int) Math.min(MAX_PARTS, Math.max(2, (total + maxRows / 2 - 1) / Math.max(1, maxRows / 2)));
        List<String> sorted = sample.stream().map(LastSeenRanges::normalized).filter(s -> s != null && inside(q, s))
                .sorted().toList();
        List<String> cuts = new ArrayList<>();
        if (sorted.size() >= parts * 4) {
            for (int i = 1; i < parts; i++) {
                String cut = sorted.get((int) ((long) i * sorted.size() / parts));
                if ((cuts.isEmpty() ? q.lower() == null || cut.compareTo(q.lower()) > 0 : cut.compareTo(cuts.get(cuts.size() - 1)) > 0)) {
                    cuts.add(cut);
                }
            }
        }
        if (cuts.isEmpty()) {
            long lo = seconds(q.lower(), now, false);
            long hi = seconds(q.upper(), now, true);
            cuts.add(text(lo + (hi - lo) / 2));
        }
        List<PeopleQueryRecord> out = new ArrayList<>();
        String lower = q.lower();
        for (String cut : cuts) {
            out.add(PeopleQueryRecord.pending(lower, cut, false));
            lower = cut;
        }
        out.add(PeopleQueryRecord.pending(lower, q.upper(), false));
        return out;
    }

    /** The first 19 characters of a {@code $last_seen} when they are a date-time; else null. */
    static String normalized(String lastSeen) {
        if (lastSeen == null || lastSeen.length() < 19) {
            return null;
        }
        String head = lastSeen.substring(0, 19);
        try {
            LocalDateTime.parse(head, FORMAT);
            return head;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** {@code $last_seen} as microseconds since the epoch (UTC), or null when absent or unparsable. */
    static Long micros(String lastSeen) {
        String head = normalized(lastSeen);
        if (head == null) {
            return null;
        }
        LocalDateTime t = LocalDateTime.parse(head, FORMAT);
        long micros = t.toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
        // fractional seconds, when Mixpanel gives them (.123 or .123456)
        if (lastSeen.length() > 20 && lastSeen.charAt(19) == '.') {
            String frac = lastSeen.substring(20).replaceAll("\\D.*$", "");
            if (!frac.isEmpty()) {
                micros += Long.parseLong((frac + "000000").substring(0, 6));
            }
        }
        return micros;
    }

    static String text(Instant t) {
        return text(t.getEpochSecond());
    }

    private static String text(long epochSecond) {
        return FORMAT.format(LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC));
    }

    private static boolean inside(PeopleQueryRecord q, String s) {
        return (q.lower() == null || s.compareTo(q.lower()) >= 0) && (q.upper() == null || s.compareTo(q.upper()) < 0);
    }

    private static long seconds(String bound, Instant now, boolean upper) {
        if (bound == null) {
            return upper ? now.getEpochSecond() + 86_400 : EARLIEST;
        }
        return LocalDateTime.parse(bound, FORMAT).toEpochSecond(ZoneOffset.UTC);
    }
}
