package io.mixpanelpipelines.source;

import java.time.LocalDate;
import java.util.List;
import java.util.Objects;

/**
 * One call of Mixpanel's raw export: the days {@code fromDate..toDate} (inclusive, in the project's
 * timezone) and optional filters.
 *
 * @param events only these event names; empty for all
 * @param where a segmentation expression, e.g. {@code properties["$time"] >= datetime(1700000000)}; null for none
 * @param limit at most this many events (max 100000); null for no limit
 */
public record ExportRequest(LocalDate fromDate, LocalDate toDate, List<String> events, String where, Integer limit,
        boolean timeInMs) {

    public ExportRequest {
        Objects.requireNonNull(fromDate, "fromDate");
        Objects.requireNonNull(toDate, "toDate");
        if (toDate.isBefore(fromDate)) {
            throw new IllegalArgumentException("toDate " + toDate + " is before fromDate " + fromDate);
        }
        events = List.copyOf(events);
        if (limit != null && (limit < 1 || limit > 100_000)) {
            throw new IllegalArgumentException("limit must be within 1..100000");
        }
    }

    /** All events of the days, no filter. */
    public static ExportRequest days(LocalDate from, LocalDate to, boolean timeInMs) {
        return new ExportRequest(from, to, List.of(), null, null, timeInMs);
    }

    /** A short label for logs: {@code 2026-01-01} or {@code 2026-01-01..2026-01-07}. */
    public String window() {
        return fromDate.equals(toDate) ? fromDate.toString() : fromDate + ".." + toDate;
    }
}
