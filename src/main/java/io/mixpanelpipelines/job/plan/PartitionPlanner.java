package io.mixpanelpipelines.job.plan;

import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.state.PartitionRecord;
import io.mixpanelpipelines.state.PartitionState;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Works out the export requests a run needs, in the order it spends its budget on them: an operator's
 * reruns, then the days after the last published one, then the late-data lookback (both in the same
 * requests, newest first), then the backfill of days never published (newest first). Consecutive days share
 * a request, up to {@code export.daysPerRequest}, or, adaptively, as many as keep the body within
 * {@code export.maxRequestSize} judging by the days published so far (at most 31; 31 when nothing is known
 * yet). A day is requested in {@link DaySlice}s, a window of its own, when {@code export.sliceHours} is set or
 * when its expected body exceeds {@code export.maxRequestSize} ({@link #sliceHours}). Pure: no I/O, no clock;
 * thread-safe.
 */
public final class PartitionPlanner {

    /** How many recent published days size an adaptive request. */
    static final int SIZING_SAMPLE = 14;

    private final JobDefinition.Export settings;

    public PartitionPlanner(JobDefinition.Export settings) {
        this.settings = settings;
    }

    /**
     * Plans a run without a range.
     *
     * @param lastDay the last complete day in the project's timezone (yesterday)
     * @param firstDay the job's start date
     */
    public List<RequestWindow> plan(LocalDate firstDay, LocalDate lastDay, Collection<PartitionRecord> ledger) {
        return plan(firstDay, lastDay, ledger, null);
    }

    /**
     * As above, at {@code now}: a published day of the lookback last fetched within
     * {@code export.lookbackInterval} of {@code now} is not fetched again (null: no such limit).
     */
    public List<RequestWindow> plan(LocalDate firstDay, LocalDate lastDay, Collection<PartitionRecord> ledger,
            java.time.Instant now) {
        Map<LocalDate, PartitionRecord> byDay = index(ledger);
        int maxDays = daysPerRequest(ledger);
        NavigableSet<LocalDate> reruns = new TreeSet<>();
        NavigableSet<LocalDate> published = new TreeSet<>();
        for (PartitionRecord r : byDay.values()) {
            if (r.day().isAfter(lastDay)) {
                continue;
            }
            if (r.state() == PartitionState.RERUN_REQUESTED) {
                reruns.add(r.day());
            } else if (r.state() == PartitionState.PUBLISHED && !r.day().isBefore(firstDay)) {
                published.add(r.day());
            }
        }
        List<RequestWindow> windows = new ArrayList<>(group(reruns, RequestWindow.Kind.RERUN, maxDays, byDay));
        NavigableSet<LocalDate> recent = new TreeSet<>();
        if (!published.isEmpty()) {
            LocalDate lastPublished = published.last();
            LocalDate firstNew = lastPublished.plusDays(1);
            for (LocalDate d = firstNew; !d.isAfter(lastDay); d = d.plusDays(1)) {
                if (!reruns.contains(d)) {
                    recent.add(d);
                }
            }
            LocalDate lookbackEnd = recent.isEmpty() ? lastDay : firstNew.minusDays(1);
            for (int i = 0; i < settings.lookbackDays(); i++) {
                LocalDate d = lookbackEnd.minusDays(i);
                if (!d.isBefore(firstDay) && !reruns.contains(d) && dueForLookback(byDay.get(d), now)) {
                    recent.add(d);
                }
            }
            // new days and the lookback are consecutive: they share requests (a daily run costs one)
            windows.addAll(group(recent, recent.isEmpty() || recent.first().isAfter(lastPublished)
                    ? RequestWindow.Kind.NEW : RequestWindow.Kind.LOOKBACK, maxDays, byDay, published));
        }
        NavigableSet<LocalDate> backfill = new TreeSet<>();
        for (LocalDate d = firstDay; !d.isAfter(lastDay); d = d.plusDays(1)) {
            if (!published.contains(d) && !reruns.contains(d) && !recent.contains(d)) {
                backfill.add(d);
            }
        }
        windows.addAll(group(backfill, RequestWindow.Kind.BACKFILL, maxDays, byDay));
        return windows;
    }

    private boolean dueForLookback(PartitionRecord r, java.time.Instant now) {
        if (now == null || r == null || r.state() != PartitionState.PUBLISHED || r.updatedAt() == null) {
            return true;
        }
        return !r.updatedAt().isAfter(now.minus(settings.lookbackInterval()));
    }

    /** Plans an explicit range: its days not yet published (and those an operator asked to rerun). */
    public List<RequestWindow> planRange(LocalDate from, LocalDate to, Collection<PartitionRecord> ledger, boolean replace) {
        Map<LocalDate, PartitionRecord> byDay = index(ledger);
        NavigableSet<LocalDate> days = new TreeSet<>();
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
            PartitionRecord r = byDay.get(d);
            if (replace || r == null || r.state() != PartitionState.PUBLISHED) {
                days.add(d);
            }
        }
        return group(days, replace ? RequestWindow.Kind.RERUN : RequestWindow.Kind.RANGE, daysPerRequest(ledger), byDay);
    }

    /**
     * Plans an operator's rerun of these days, published or not: consecutive days share a request, as a run
     * without a range does (up to {@code export.daysPerRequest}, or adaptive).
     */
    public List<RequestWindow> planRerun(Collection<LocalDate> days, Collection<PartitionRecord> ledger) {
        Map<LocalDate, PartitionRecord> byDay = index(ledger);
        return group(new TreeSet<>(days), RequestWindow.Kind.RERUN, daysPerRequest(ledger), byDay);
    }

    /** Days per request: the configured number, or adaptive from the recent published days' sizes. */
    int daysPerRequest(Collection<PartitionRecord> ledger) {
        if (settings.daysPerRequest() != null) {
            return settings.daysPerRequest();
        }
        long avg = averageDayBytes(ledger);
        if (avg <= 0) {
            return JobDefinition.Export.MAX_DAYS_PER_REQUEST;
        }
        long days = settings.maxRequestBytes() / avg;
        return (int) Math.max(1, Math.min(JobDefinition.Export.MAX_DAYS_PER_REQUEST, days));
    }

    static long averageDayBytes(Collection<PartitionRecord> ledger) {
        List<PartitionRecord> sized = ledger.stream().filter(r -> r.sourceBytes() > 0)
                .sorted((a, b) -> b.day().compareTo(a.day())).limit(SIZING_SAMPLE).toList();
        return sized.isEmpty() ? 0 : sized.stream().mapToLong(PartitionRecord::sourceBytes).sum() / sized.size();
    }

    private List<RequestWindow> group(NavigableSet<LocalDate> days, RequestWindow.Kind kind, int maxDays,
            Map<LocalDate, PartitionRecord> byDay) {
        return group(days, kind, maxDays, byDay, null);
    }

    /**
     * Consecutive days, newest first, cut into windows of at most {@code maxDays}; a day to be sliced
     * ({@link #sliceHours}) is a window of its own.
     */
    private List<RequestWindow> group(NavigableSet<LocalDate> days, RequestWindow.Kind kind, int maxDays,
            Map<LocalDate, PartitionRecord> byDay, NavigableSet<LocalDate> published) {
        long avg = averageDayBytes(byDay.values());
        List<RequestWindow> windows = new ArrayList<>();
        LocalDate end = null;
        LocalDate start = null;
        for (LocalDate d : days.descendingSet()) {
            int hours = sliceHours(d, byDay, avg);
            if (end != null && (hours > 0 || !d.equals(start.minusDays(1))
                    || java.time.temporal.ChronoUnit.DAYS.between(start, end) + 1 >= maxDays)) {
                windows.add(window(start, end, kind, published, avg));
                end = null;
            }
            if (hours > 0) {
                RequestWindow day = window(d, d, kind, published, expectedBytes(d, byDay, avg));
                windows.add(RequestWindow.sliced(d, day.kind(), day.estimatedBytes(), hours));
                continue;
            }
            if (end == null) {
                end = d;
            }
            start = d;
        }
        if (end != null) {
            windows.add(window(start, end, kind, published, avg));
        }
        return windows;
    }

    /**
     * Hours per slice of {@code day}: {@code export.sliceHours} when set; else 0 (one request) unless the
     * day's expected body ({@link #expectedBytes}) exceeds {@code export.maxRequestSize}, then the longest
     * slices that keep each one within it (if it takes more than 24, hours of 1).
     */
    int sliceHours(LocalDate day, Map<LocalDate, PartitionRecord> byDay, long avgDayBytes) {
        if (settings.sliceHours() != null) {
            return settings.sliceHours();
        }
        long expected = expectedBytes(day, byDay, avgDayBytes);
        if (expected <= settings.maxRequestBytes()) {
            return 0;
        }
        long slices = (expected + settings.maxRequestBytes() - 1) / settings.maxRequestBytes();
        List<Integer> hours = JobDefinition.Export.SLICE_HOURS;
        for (int i = hours.size() - 1; i >= 0; i--) {
            if (24 / hours.get(i) >= slices) {
                return hours.get(i);
            }
        }
        return hours.get(0);
    }

    /**
     * The decoded body a request of the whole day is expected to bring: the day's own size when it was
     * exported before (a lookback or a rerun: the sum of its slices when it was sliced), else the average of
     * the recent days.
     */
    static long expectedBytes(LocalDate day, Map<LocalDate, PartitionRecord> byDay, long avgDayBytes) {
        PartitionRecord r = byDay.get(day);
        return r != null && r.sourceBytes() > 0 ? r.sourceBytes() : avgDayBytes;
    }

    private static RequestWindow window(LocalDate from, LocalDate to, RequestWindow.Kind kind,
            NavigableSet<LocalDate> published, long avgDayBytes) {
        RequestWindow.Kind k = kind;
        if (published != null) {
            boolean anyNew = false;
            for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
                anyNew |= !published.contains(d);
            }
            k = anyNew ? RequestWindow.Kind.NEW : RequestWindow.Kind.LOOKBACK;
        }
        long days = java.time.temporal.ChronoUnit.DAYS.between(from, to) + 1L;
        return new RequestWindow(from, to, k, avgDayBytes * days);
    }

    private static Map<LocalDate, PartitionRecord> index(Collection<PartitionRecord> ledger) {
        Map<LocalDate, PartitionRecord> m = new TreeMap<>();
        ledger.forEach(r -> m.put(r.day(), r));
        return m;
    }
}
