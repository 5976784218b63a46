package io.mixpanelpipelines.job;

import io.mixpanelpipelines.job.day.DaySpools;
import io.mixpanelpipelines.job.plan.DaySlice;
import io.mixpanelpipelines.job.plan.RequestWindow;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * Step 2's partitions: one per day, named {@code day=YYYY-MM-DD}, and one per slice of a sliced day, named
 * {@code slice=<day>T<hh>-<hh>}, so that a day's slices are converted in parallel, each with its own
 * checkpoints, and the last one staged assembles the day. Each carries the day in its ExecutionContext (the
 * day step's scoped beans read it from there), a slice also its first hour, its label and its window. A
 * sliced day whose slices were all hashed as they arrived and sum to the published content is one
 * {@code day=} partition that converts nothing. Immutable, so thread-safe.
 */
public class DayPartitioner implements Partitioner {

    static final String DAY = "day";
    /** A slice partition's first wall-clock hour. */
    static final String SLICE = "slice";
    /** A slice partition's label, {@code 2026-03-08T03-06}. */
    static final String SLICE_LABEL = "sliceLabel";
    /** The label of the sliced window of a slice partition, or of a sliced day left unchanged. */
    static final String WINDOW = "window";

    private final Map<String, ExecutionContext> partitions;

    DayPartitioner(Map<String, ExecutionContext> partitions) {
        this.partitions = partitions;
    }

    /**
     * The partitions of a run's windows: the days with a complete spool (step 1 split their window, or an
     * earlier run fetched them) and the unsliced one-day windows, which their day step downloads while
     * converting; a sliced day's slices once step 1 spooled every one of them (with {@code remoteWorkers}, at
     * once: the workers fetch them), or the day alone when {@code unchangedSlices} says its hashed slices
     * hold the published content. A day with an outcome already (a refused or deferred request) has none.
     */
    public static DayPartitioner of(List<RequestWindow> windows, ZoneId zone, DaySpools spools, RunOutcomes outcomes,
            boolean remoteWorkers, Predicate<RequestWindow> unchangedSlices) {
        Map<String, ExecutionContext> partitions = new LinkedHashMap<>();
        for (RequestWindow w : windows) {
            for (LocalDate d : w.days()) {
                if (spools.forDay(d).isComplete()) {
                    partitions.put(partitionName(d), dayContext(d));
                } else if (outcomes.containsKey(d)) {
                    continue;
                } else if (!w.isSliced()) {
                    if (w.days().size() == 1) {
                        partitions.put(partitionName(d), dayContext(d));
                    }
                } else if (unchangedSlices.test(w)) {
                    ExecutionContext ec = dayContext(d);
                    ec.putString(WINDOW, w.label());
                    partitions.put(partitionName(d), ec);
                } else {
                    List<DaySlice> slices = w.slices(zone);
                    if (remoteWorkers || slices.stream().allMatch(spools::isSpooled)) {
                        for (DaySlice s : slices) {
                            partitions.put(partitionName(s), sliceContext(w, s));
                        }
                    }
                }
            }
        }
        return new DayPartitioner(partitions);
    }

    /** The partition's name, and so (after {@code exportDay:}) its step's. */
    static String partitionName(LocalDate day) {
        return "day=" + day;
    }

    /** A slice partition's name, and so (after {@code exportDay:}) its step's. */
    static String partitionName(DaySlice slice) {
        return "slice=" + slice.label();
    }

    private static ExecutionContext dayContext(LocalDate day) {
        ExecutionContext ec = new ExecutionContext();
        ec.putString(DAY, day.toString());
        return ec;
    }

    private static ExecutionContext sliceContext(RequestWindow w, DaySlice s) {
        ExecutionContext ec = dayContext(s.day());
        ec.putInt(SLICE, s.fromHour());
        ec.putString(SLICE_LABEL, s.label());
        ec.putString(WINDOW, w.label());
        return ec;
    }

    /** The days converted as slices: the partitions that carry a slice, by day. */
    java.util.Set<LocalDate> slicedDays() {
        java.util.Set<LocalDate> days = new java.util.TreeSet<>();
        partitions.values().stream().filter(ec -> ec.containsKey(SLICE)).forEach(ec -> days.add(LocalDate.parse(ec.getString(DAY))));
        return days;
    }

    @Override
    public Map<String, ExecutionContext> partition(int gridSize) {
        Map<String, ExecutionContext> copy = new LinkedHashMap<>();
        // Spring Batch keeps the contexts it is given: each call hands out fresh copies
        partitions.forEach((name, ec) -> copy.put(name, new ExecutionContext(ec)));
        return copy;
    }
}
