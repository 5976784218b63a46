package io.mixpanelpipelines.job.plan;

import io.mixpanelpipelines.config.JobDefinition;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * One time slice of a day in the project's timezone: the half-open interval {@code [start, end)} from the
 * wall-clock hour {@code fromHour} to {@code toHour} (24: the next midnight), requested as the day with a
 * {@code where} on the event time ({@link #where}).
 *
 * <p>Slices follow the wall clock, not elapsed time: the day itself is a wall-clock interval (midnight to
 * midnight in the project timezone, as Mixpanel cuts {@code from_date}), the slice boundaries are the local
 * hours a person reads ({@code 03:00-06:00}) and a day has the same slices every day. On a DST day a slice
 * holding the change is an hour shorter or longer (New York, 8 slices of 3 h: the spring-forward day's
 * first slice lasts 2 h, the fall-back day's 4 h); with 1 h slices the hour that does not exist is no
 * slice (23 slices) and the repeated hour is one slice of 2 h. A boundary hour that falls in a gap is the
 * first instant after it; one that falls in an overlap is its first occurrence. Consecutive slices share
 * their boundary instant, the first starts at the day's start and the last ends at the next day's, so every
 * instant of the day lies in exactly one slice. Boundaries are whole seconds, so comparing an event's time at
 * millisecond or at second precision puts it in the same slice: 12:59:59.999 is before 13:00.
 *
 * <p>Immutable; thread-safe.
 */
public record DaySlice(LocalDate day, int fromHour, int toHour, Instant start, Instant end) {

    /** The slices of {@code day}, each {@code hours} wall-clock hours long, in order; empty ones (a DST gap) left out. */
    public static List<DaySlice> of(LocalDate day, int hours, ZoneId zone) {
        if (!JobDefinition.Export.SLICE_HOURS.contains(hours)) {
            throw new IllegalArgumentException("a day cannot be cut into slices of " + hours + " h");
        }
        List<DaySlice> slices = new ArrayList<>();
        Instant start = day.atStartOfDay(zone).toInstant();
        for (int from = 0; from < 24; from += hours) {
            int to = from + hours;
            Instant end = to == 24 ? day.plusDays(1).atStartOfDay(zone).toInstant()
                    : day.atTime(to, 0).atZone(zone).toInstant();
            if (end.isAfter(start)) {
                slices.add(new DaySlice(day, from, to, start, end));
            }
            start = end.isAfter(start) ? end : start;
        }
        return slices;
    }

    /**
     * The Mixpanel segmentation expression selecting the slice's events, on their true time ({@code $time},
     * compared with {@code datetime} of epoch seconds):
     * {@code properties["$time"] >= datetime(S) and properties["$time"] < datetime(E)}.
     */
    public String where() {
        return "properties[\"$time\"] >= datetime(" + start.getEpochSecond() + ") and properties[\"$time\"] < datetime("
                + end.getEpochSecond() + ")";
    }

    /** {@code 2026-03-08T03-06}: the day and its local hours. */
    public String label() {
        return day + "T" + twoDigits(fromHour) + "-" + twoDigits(toHour);
    }

    /** How long the slice lasts: its wall-clock hours, give or take a DST change. */
    public Duration length() {
        return Duration.between(start, end);
    }

    private static String twoDigits(int hour) {
        return hour < 10 ? "0" + hour : Integer.toString(hour);
    }
}
