package io.mixpanelpipelines.job;

import io.mixpanelpipelines.job.remote.AbandonedPartitions;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;

/**
 * With remote workers: restarts an execution that failed because partitions were taken from dead workers
 * ({@link AbandonedPartitions}), so the partitions that did not finish are sent again and another worker
 * resumes each from its checkpoint. Other failures are left as they are (a failed day is planned again by
 * the next run). At most {@link #MAX_RESTARTS} restarts per launch, so workers dying over and over fail the
 * run instead of looping. Without remote workers it only runs the launch. Not thread-safe: one per run.
 */
final class DeadWorkerRestarts {

    private static final Logger log = LoggerFactory.getLogger(DeadWorkerRestarts.class);
    static final int MAX_RESTARTS = 10;

    private final AbandonedPartitions abandoned;

    /** @param abandoned the manager's watch; null with local workers */
    DeadWorkerRestarts(AbandonedPartitions abandoned) {
        this.abandoned = abandoned;
    }

    /** With remote workers, waits until the live workers are done with {@code last} before it is recovered. */
    void beforeRecover(JobExecution last) {
        if (abandoned == null) {
            return;
        }
        try {
            abandoned.awaitLivePartitions(last.getId());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the workers of execution " + last.getId(), e);
        }
    }

    /** Runs {@code launch} (start or restart of one job instance), again while dead workers failed it. */
    JobExecution run(Supplier<JobExecution> launch) {
        for (int restarts = 0; ; restarts++) {
            JobExecution execution = launch.get();
            if (abandoned == null || execution == null || execution.getStatus() != BatchStatus.FAILED) {
                return execution;
            }
            int taken = abandoned.takeAbandoned();
            if (taken == 0 || restarts >= MAX_RESTARTS) {
                return execution;
            }
            log.warn("{} partition(s) were taken from dead workers; restarting the run (execution {}) so that other "
                    + "workers finish them from their checkpoints", taken, execution.getId());
        }
    }
}
