package io.mixpanelpipelines.job.plan;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Writes a set of days compactly ({@code 2026-01-01..2026-01-07,2026-01-09}) for a job parameter, and
 * reads it back.
 */
public final class DayRanges {

    private DayRanges() {
    }

    public static String format(List<LocalDate> days) {
        TreeSet<LocalDate> sorted = new TreeSet<>(days);
        StringBuilder sb = new StringBuilder();
        LocalDate start = null;
        LocalDate prev = null;
        for (LocalDate d : sorted) {
            if (start == null) {
                start = d;
            } else if (!d.equals(prev.plusDays(1))) {
                append(sb, start, prev);
                start = d;
            }
            prev = d;
        }
        if (start != null) {
            append(sb, start, prev);
        }
        return sb.toString();
    }

    public static List<LocalDate> parse(String s) {
        List<LocalDate> days = new ArrayList<>();
        if (s == null || s.isBlank()) {
            return days;
        }
        for (String part : s.split(",")) {
            int dots = part.indexOf("..");
            if (dots < 0) {
                days.add(LocalDate.parse(part));
            } else {
                LocalDate to = LocalDate.parse(part.substring(dots + 2));
                for (LocalDate d = LocalDate.parse(part.substring(0, dots)); !d.isAfter(to); d = d.plusDays(1)) {
                    days.add(d);
                }
            }
        }
        return days;
    }

    /** Sorted days as windows of consecutive days (of kind {@link RequestWindow.Kind#RANGE}). */
    public static List<RequestWindow> runs(List<LocalDate> days) {
        List<RequestWindow> runs = new java.util.ArrayList<>();
        LocalDate start = null;
        LocalDate end = null;
        for (LocalDate d : days) {
            if (start != null && d.equals(end.plusDays(1))) {
                end = d;
                continue;
            }
            if (start != null) {
                runs.add(new RequestWindow(start, end, RequestWindow.Kind.RANGE, 0));
            }
            start = d;
            end = d;
        }
        if (start != null) {
            runs.add(new RequestWindow(start, end, RequestWindow.Kind.RANGE, 0));
        }
        return runs;
    }

    private static void append(StringBuilder sb, LocalDate start, LocalDate end) {
        if (sb.length() > 0) {
            sb.append(',');
        }
        sb.append(start);
        if (!end.equals(start)) {
            sb.append("..").append(end);
        }
    }
}
