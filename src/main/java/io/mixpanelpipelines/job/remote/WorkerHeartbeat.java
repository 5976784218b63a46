package io.mixpanelpipelines.job.remote;

import io.mixpanelpipelines.state.WorkerRegistry;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker process's life in the {@link WorkerRegistry}: registered when started, its heartbeat renewed
 * every {@code interval} by a daemon thread, deregistered on {@link #close()}. A beat that fails (the state
 * store out of reach) is tried again at the next one; a worker silent for three intervals is taken for dead
 * by the manager ({@link AbandonedPartitions}). Thread-safe.
 */
public final class WorkerHeartbeat implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WorkerHeartbeat.class);

    private final WorkerRegistry registry;
    private final String workerId;
    private final ScheduledExecutorService beats;

    private WorkerHeartbeat(WorkerRegistry registry, String workerId, Duration interval) {
        this.registry = registry;
        this.workerId = workerId;
        registry.register(workerId);
        beats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "worker-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long ms = interval.toMillis();
        beats.scheduleWithFixedDelay(this::beat, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Registers {@code workerId} and starts beating. */
    public static WorkerHeartbeat start(WorkerRegistry registry, String workerId, Duration interval) {
        return new WorkerHeartbeat(registry, workerId, interval);
    }

    public String workerId() {
        return workerId;
    }

    private void beat() {
        try {
            registry.beat(workerId);
        } catch (RuntimeException e) {
            log.warn("worker {}: heartbeat failed ({}); trying again", workerId, e.getMessage());
        }
    }

    @Override
    public void close() {
        beats.shutdownNow();
        try {
            registry.deregister(workerId);
        } catch (RuntimeException e) {
            log.warn("worker {}: cannot deregister ({}); the manager takes it for dead once its heartbeat is old",
                    workerId, e.getMessage());
        }
    }
}
