package io.mixpanelpipelines.simulator;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The subset of Mixpanel's {@code where} expressions the simulator understands: comparisons of
 * {@code properties["$time"]} with {@code datetime(EPOCH_SECONDS)} joined by {@code and}, e.g.
 * {@code properties["$time"] >= datetime(1700000000) and properties["$time"] < datetime(1700003600)}.
 * Bounds apply to the event's true UTC instant. Immutable; thread-safe.
 */
final class TimeFilter {

    static final TimeFilter ALL = new TimeFilter(Long.MIN_VALUE, Long.MAX_VALUE);

    private static final Pattern COMPARISON = Pattern.compile(
            "properties\\s*\\[\\s*\"\\$time\"\\s*\\]\\s*(>=|>|<=|<)\\s*datetime\\s*\\(\\s*(-?\\d{1,12})\\s*\\)");
    private static final Pattern AND = Pattern.compile("\\s+and\\s+", Pattern.CASE_INSENSITIVE);

    /** Inclusive lower and exclusive upper bound, in epoch milliseconds. */
    private final long fromMillis;
    private final long untilMillis;

    private TimeFilter(long fromMillis, long untilMillis) {
        this.fromMillis = fromMillis;
        this.untilMillis = untilMillis;
    }

    /** Parses a {@code where} parameter; null or blank means no filter. */
    static TimeFilter parse(String where) throws ExportRejection {
        if (where == null || where.isBlank()) {
            return ALL;
        }
        long from = Long.MIN_VALUE;
        long until = Long.MAX_VALUE;
        for (String term : AND.split(where.strip())) {
            Matcher m = COMPARISON.matcher(term.strip());
            if (!m.matches()) {
                throw new ExportRejection(400, "unsupported where expression (simulator understands only "
                        + "properties[\"$time\"] comparisons with datetime(epoch) joined by and): "
                        + where.strip());
            }
            long millis = Long.parseLong(m.group(2)) * 1000;
            switch (m.group(1)) {
                case ">=" -> from = Math.max(from, millis);
                case ">" -> from = Math.max(from, millis + 1000);
                case "<" -> until = Math.min(until, millis);
                default -> until = Math.min(until, millis + 1000); // "<="
            }
        }
        return new TimeFilter(from, until);
    }

    /** Whether an event at {@code utcMillis} passes; compared by whole seconds, as {@code $time} is. */
    boolean accepts(long utcMillis) {
        long second = Math.floorDiv(utcMillis, 1000) * 1000;
        return second >= fromMillis && second < untilMillis;
    }
}
