package io.mixpanelpipelines.job;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * One partition per day, named {@code day=YYYY-MM-DD}, carrying the day in its ExecutionContext (the day
 * step's scoped beans read it from there). Immutable, so thread-safe.
 */
public class DayPartitioner implements Partitioner {

    static final String DAY = "day";

    private final List<LocalDate> days;

    public DayPartitioner(List<LocalDate> days) {
        this.days = List.copyOf(days);
    }

    /** The partition's name, and so (after {@code exportDay:}) its step's. */
    static String partitionName(LocalDate day) {
        return "day=" + day;
    }

    @Override
    public Map<String, ExecutionContext> partition(int gridSize) {
        Map<String, ExecutionContext> partitions = new LinkedHashMap<>();
        for (LocalDate day : days) {
            ExecutionContext ec = new ExecutionContext();
            ec.putString(DAY, day.toString());
            partitions.put(partitionName(day), ec);
        }
        return partitions;
    }
}
