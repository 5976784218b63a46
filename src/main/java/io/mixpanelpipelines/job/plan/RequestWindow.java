package io.mixpanelpipelines.job.plan;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Consecutive days fetched by one export request, or one day fetched as {@link DaySlice}s (one request each),
 * and why they are fetched.
 *
 * @param estimatedBytes the decoded body size expected from the volumes seen so far (0 when unknown)
 * @param sliceHours 0: whole days in one request; else the one day {@code from} is requested in slices of this
 *     many wall-clock hours
 */
public record RequestWindow(LocalDate from, LocalDate to, Kind kind, long estimatedBytes, int sliceHours) {

    public RequestWindow {
        if (sliceHours != 0 && !from.equals(to)) {
            throw new IllegalArgumentException("only a single day is sliced: " + from + ".." + to);
        }
    }

    /** Whole days in one request. */
    public RequestWindow(LocalDate from, LocalDate to, Kind kind, long estimatedBytes) {
        this(from, to, kind, estimatedBytes, 0);
    }

    /** One day in slices of {@code sliceHours}. */
    public static RequestWindow sliced(LocalDate day, Kind kind, long estimatedBytes, int sliceHours) {
        return new RequestWindow(day, day, kind, estimatedBytes, sliceHours);
    }

    public boolean isSliced() {
        return sliceHours != 0;
    }

    /** The day's slices in the project's timezone; empty for a window of whole days. */
    public List<DaySlice> slices(java.time.ZoneId zone) {
        return isSliced() ? DaySlice.of(from, sliceHours, zone) : List.of();
    }

    /** The requests the window costs when nothing of it is spooled: its slices, or one. */
    public int requests(java.time.ZoneId zone) {
        return isSliced() ? slices(zone).size() : 1;
    }

    /** Why days are fetched; also the order in which a run spends its budget on them. */
    public enum Kind {
        /** Asked for by an operator's {@code rerun}. */
        RERUN,
        /** An explicit {@code --from/--to} range. */
        RANGE,
        /** Days after the last published one, up to yesterday. */
        NEW,
        /** Published days fetched again for late data. */
        LOOKBACK,
        /** Days from the start date never published, newest first. */
        BACKFILL
    }

    public List<LocalDate> days() {
        List<LocalDate> days = new ArrayList<>();
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
            days.add(d);
        }
        return days;
    }

    public int size() {
        return days().size();
    }

    /** {@code 2026-01-01..2026-01-07}, {@code 2026-01-01}, or a sliced day: {@code 2026-01-01/3h}. */
    public String label() {
        return (from.equals(to) ? from.toString() : from + ".." + to) + (isSliced() ? "/" + sliceHours + "h" : "");
    }

    /** Encodes windows for a job parameter: labels joined by commas, never merged. */
    public static String encode(List<RequestWindow> windows) {
        StringBuilder sb = new StringBuilder();
        for (RequestWindow w : windows) {
            sb.append(sb.length() == 0 ? "" : ",").append(w.label());
        }
        return sb.toString();
    }

    /** Decodes {@link #encode}d windows (their kind is not kept: {@link Kind#RANGE}). */
    public static List<RequestWindow> decode(String s) {
        List<RequestWindow> windows = new ArrayList<>();
        if (s == null || s.isBlank()) {
            return windows;
        }
        for (String label : s.split(",")) {
            int slash = label.indexOf('/');
            String part = slash < 0 ? label : label.substring(0, slash);
            int hours = slash < 0 ? 0 : Integer.parseInt(label.substring(slash + 1, label.length() - 1));
            int dots = part.indexOf("..");
            LocalDate from = LocalDate.parse(dots < 0 ? part : part.substring(0, dots));
            LocalDate to = dots < 0 ? from : LocalDate.parse(part.substring(dots + 2));
            windows.add(new RequestWindow(from, to, Kind.RANGE, 0, hours));
        }
        return windows;
    }
}
