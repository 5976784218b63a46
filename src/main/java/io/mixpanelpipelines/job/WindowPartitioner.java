package io.mixpanelpipelines.job;

import io.mixpanelpipelines.job.plan.RequestWindow;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/** One partition per request window, named {@code window=<from..to>}. Immutable, so thread-safe. */
public class WindowPartitioner implements Partitioner {

    private final List<RequestWindow> windows;

    public WindowPartitioner(List<RequestWindow> windows) {
        this.windows = List.copyOf(windows);
    }

    @Override
    public Map<String, ExecutionContext> partition(int gridSize) {
        Map<String, ExecutionContext> partitions = new LinkedHashMap<>();
        for (RequestWindow w : windows) {
            ExecutionContext ec = new ExecutionContext();
            ec.putString(WindowFetchTasklet.WINDOW, w.label());
            partitions.put("window=" + w.label(), ec);
        }
        return partitions;
    }
}
