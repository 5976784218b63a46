package io.mixpanelpipelines.job;

import io.mixpanelpipelines.job.plan.DaySlice;
import io.mixpanelpipelines.job.plan.RequestWindow;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * One partition per request: a window of whole days, named {@code window=<from..to>}, or a slice of a sliced
 * day, named {@code slice=<day>T<hh>-<hh>} (its window's label and its first hour in the context), so the
 * slices of a day are fetched concurrently and each is retried or resumed on its own. Immutable, so
 * thread-safe.
 */
public class WindowPartitioner implements Partitioner {

    private final List<RequestWindow> windows;
    private final ZoneId zone;

    /** @param zone the project's timezone, in which days are sliced */
    public WindowPartitioner(List<RequestWindow> windows, ZoneId zone) {
        this.windows = List.copyOf(windows);
        this.zone = zone;
    }

    @Override
    public Map<String, ExecutionContext> partition(int gridSize) {
        Map<String, ExecutionContext> partitions = new LinkedHashMap<>();
        for (RequestWindow w : windows) {
            for (DaySlice slice : w.slices(zone)) {
                ExecutionContext ec = new ExecutionContext();
                ec.putString(WindowFetchTasklet.WINDOW, w.label());
                ec.putInt(WindowFetchTasklet.SLICE_FROM_HOUR, slice.fromHour());
                partitions.put("slice=" + slice.label(), ec);
            }
            if (w.isSliced()) {
                continue;
            }
            ExecutionContext ec = new ExecutionContext();
            ec.putString(WindowFetchTasklet.WINDOW, w.label());
            partitions.put("window=" + w.label(), ec);
        }
        return partitions;
    }
}
