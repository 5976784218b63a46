package io.mixpanelpipelines.job.plan;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Consecutive days fetched by one export request, and why they are fetched.
 *
 * @param estimatedBytes the decoded body size expected from the volumes seen so far (0 when unknown)
 */
public record RequestWindow(LocalDate from, LocalDate to, Kind kind, long estimatedBytes) {

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

    /** {@code 2026-01-01..2026-01-07} or {@code 2026-01-01}. */
    public String label() {
        return from.equals(to) ? from.toString() : from + ".." + to;
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
        for (String part : s.split(",")) {
            int dots = part.indexOf("..");
            LocalDate from = LocalDate.parse(dots < 0 ? part : part.substring(0, dots));
            LocalDate to = dots < 0 ? from : LocalDate.parse(part.substring(dots + 2));
            windows.add(new RequestWindow(from, to, Kind.RANGE, 0));
        }
        return windows;
    }
}
