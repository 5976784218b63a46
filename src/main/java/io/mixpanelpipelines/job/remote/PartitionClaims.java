package io.mixpanelpipelines.job.remote;

import io.mixpanelpipelines.state.WorkerRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;

/**
 * A worker's partition steps: each claims its step execution for this worker as it starts (the manager
 * knows whose it is, and an operator which worker ran which day), and is counted while it runs, so a
 * worker stopping gracefully waits for its partitions ({@link #awaitIdle}). Thread-safe: a worker runs
 * several partitions at once.
 */
public final class PartitionClaims implements StepExecutionListener {

    private final WorkerRegistry registry;
    private final String workerId;
    private final AtomicInteger running = new AtomicInteger();

    public PartitionClaims(WorkerRegistry registry, String workerId) {
        this.registry = registry;
        this.workerId = workerId;
    }

    @Override
    public void beforeStep(StepExecution stepExecution) {
        running.incrementAndGet();
        String name = stepExecution.getStepName();
        registry.claim(stepExecution.getId(), workerId, name.substring(name.indexOf(':') + 1));
    }

    @Override
    public ExitStatus afterStep(StepExecution stepExecution) {
        running.decrementAndGet();
        return null;
    }

    /** Partitions running in this worker now. */
    public int running() {
        return running.get();
    }

    /** Waits until no partition runs here, or {@code max} has passed; returns whether none runs. */
    public boolean awaitIdle(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (running.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        return running.get() == 0;
    }
}
