package io.mixpanelpipelines.job.remote;

import io.mixpanelpipelines.state.WorkerRegistry;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;

/**
 * The manager's watch over its remote partitions. Spring Batch's manager step waits until no partition's
 * step execution is running any more; a worker killed mid-partition ({@code kill -9}, a lost node) leaves its
 * step execution STARTED for ever. While the manager step runs, this listener looks every {@code interval}
 * for running partitions whose worker has been silent for {@code silence} ({@link WorkerRegistry}) and marks
 * them FAILED in the job repository. The manager step then ends FAILED once the others are done, and the
 * export restarts the job execution ({@link #takeAbandoned()}): only the failed partitions are sent again, to
 * whichever worker is free, and each resumes from the checkpoint its step execution context holds and the
 * spool in shared storage, without a new request when that spool was complete. Thread-safe.
 */
public final class AbandonedPartitions implements StepExecutionListener {

    private static final Logger log = LoggerFactory.getLogger(AbandonedPartitions.class);

    private final WorkerRegistry registry;
    private final JobRepository jobRepository;
    private final Duration interval;
    private final Duration silence;
    private final AtomicInteger abandoned = new AtomicInteger();
    private volatile ScheduledExecutorService watch;

    /**
     * @param interval how often to look (a worker's heartbeat interval)
     * @param silence how long a worker may be silent before its running partitions are taken from it
     */
    public AbandonedPartitions(WorkerRegistry registry, JobRepository jobRepository, Duration interval, Duration silence) {
        this.registry = registry;
        this.jobRepository = jobRepository;
        this.interval = interval;
        this.silence = silence;
    }

    @Override
    public void beforeStep(StepExecution managerStep) {
        long jobExecutionId = managerStep.getJobExecutionId();
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "abandoned-partitions");
            t.setDaemon(true);
            return t;
        });
        long ms = interval.toMillis();
        s.scheduleWithFixedDelay(() -> look(jobExecutionId), ms, ms, TimeUnit.MILLISECONDS);
        watch = s;
    }

    @Override
    public ExitStatus afterStep(StepExecution managerStep) {
        ScheduledExecutorService s = watch;
        if (s != null) {
            s.shutdownNow();
        }
        return null;
    }

    /** Marks the running partitions of silent workers FAILED; public for tests that drive it directly. */
    public void look(long jobExecutionId) {
        try {
            for (long id : registry.abandonedPartitions(jobExecutionId, silence)) {
                StepExecution step = jobRepository.getJobExecution(jobExecutionId).getStepExecutions().stream()
                        .filter(e -> e.getId() == id).findFirst().orElse(null);
                if (step == null || !step.getStatus().isRunning()) {
                    continue;
                }
                String why = "its worker stopped beating for " + silence.toSeconds() + " s (killed or cut off)";
                step.setStatus(BatchStatus.FAILED);
                step.setExitStatus(ExitStatus.FAILED.addExitDescription(why));
                step.setEndTime(LocalDateTime.now());
                jobRepository.update(step);
                abandoned.incrementAndGet();
                log.warn("{}: {}; it is given to another worker when the run restarts", step.getStepName(), why);
            }
        } catch (RuntimeException e) {
            log.warn("cannot look for abandoned partitions: {}", e.getMessage());
        }
    }

    /**
     * Before an execution left unfinished by a dead manager is recovered and restarted: waits until none of its
     * partitions still runs on a live worker (those finish and complete on their own, and restarting them
     * meanwhile would run the same day twice at once). Partitions of dead workers are left to the restart.
     */
    public void awaitLivePartitions(long jobExecutionId) throws InterruptedException {
        long nextLog = 0;
        while (true) {
            java.util.List<Long> live = registry.livePartitions(jobExecutionId, silence);
            if (live.isEmpty()) {
                return;
            }
            if (System.nanoTime() >= nextLog) {
                log.info("waiting for {} partition(s) of the unfinished run (execution {}) that live workers still run",
                        live.size(), jobExecutionId);
                nextLog = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            }
            Thread.sleep(interval.toMillis());
        }
    }

    /** How many partitions were taken from dead workers since the last call; resets the count. */
    public int takeAbandoned() {
        return abandoned.getAndSet(0);
    }
}
