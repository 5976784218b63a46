package io.mixpanelpipelines.schedule;

import io.mixpanelpipelines.job.RunSummary;
import io.mixpanelpipelines.state.JobLockedException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockingTaskExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.Trigger;
import org.springframework.scheduling.TriggerContext;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.scheduling.support.CronExpression;
import org.springframework.scheduling.support.CronTrigger;

/**
 * Runs every job of the folder on its cron, in its project's timezone. Each run happens under the job's
 * ShedLock lock, so with several replicas on one database a scheduled time is run once: the replica that
 * gets the lock runs, the others skip. The lock is held at least half the time to the next scheduled run
 * (clock skew between replicas cannot make a second replica run the same time again) and kept alive while
 * the run lasts. Inside it, the run takes the job's own lock ({@link io.mixpanelpipelines.state.JobLock}),
 * which the command line's runs take too: a time whose job a command is running is skipped. A run still
 * going when its next time comes makes the trigger skip that time: runs never stack.
 *
 * <p>Stopping (SIGTERM) schedules nothing more, asks the running Spring Batch executions to stop at their
 * next chunk commit, and waits for them; Spring bounds the wait with
 * {@code spring.lifecycle.timeout-per-shutdown-phase}. The next run resumes the stopped one.
 */
public final class ExportScheduler implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ExportScheduler.class);

    private final List<ScheduledJob> jobs;
    private final ExportRunner runner;
    private final LockingTaskExecutor locks;
    private final Map<String, ExportMetrics> metrics;
    private final Duration lockAtMostFor;
    private final Clock clock;
    private final ThreadPoolTaskScheduler taskScheduler = new ThreadPoolTaskScheduler();
    private final List<ScheduledFuture<?>> futures = new ArrayList<>();
    private volatile boolean running;

    public ExportScheduler(List<ScheduledJob> jobs, ExportRunner runner, LockingTaskExecutor locks,
            Map<String, ExportMetrics> metrics, Duration lockAtMostFor, Clock clock) {
        this.jobs = jobs;
        this.runner = runner;
        this.locks = locks;
        this.metrics = metrics;
        this.lockAtMostFor = lockAtMostFor;
        this.clock = clock;
        taskScheduler.setPoolSize(Math.max(1, jobs.size()));
        taskScheduler.setThreadNamePrefix("schedule-");
    }

    /**
     * How long a run of {@code slot} that starts at {@code now} holds the lock at least: half the time from now to
     * the time after the slot (at most {@code atMost}). Counted from the slot, not from now: a trigger that fires
     * a few milliseconds early would find the slot itself as its next time and hold the lock for nothing, and a
     * replica firing late for the same slot would run it again.
     */
    static Duration lockAtLeastFor(CronExpression cron, ZoneId zone, Instant slot, Instant now, Duration atMost) {
        Instant next = cron.next((slot != null ? slot : now).atZone(zone)).toInstant();
        Duration atLeast = now.isBefore(next) ? Duration.between(now, next).dividedBy(2) : Duration.ZERO;
        return atLeast.compareTo(atMost) > 0 ? atMost : atLeast;
    }

    @Override
    public synchronized void start() {
        taskScheduler.initialize();
        for (ScheduledJob job : jobs) {
            SlotTrigger trigger = new SlotTrigger(new CronTrigger(job.definition().export().schedule(),
                    job.definition().mixpanel().timezone()));
            futures.add(taskScheduler.schedule(() -> fire(job, trigger.slot), trigger));
            log.info("scheduled {} ({}) at '{}' {}", job.name(), job.file(), job.definition().export().schedule(),
                    job.definition().mixpanel().timezone());
        }
        jobs.forEach(j -> metrics.get(j.name()).refresh());
        running = true;
    }

    private void fire(ScheduledJob job, Instant slot) {
        if (!running) {
            return;
        }
        Instant now = clock.instant();
        Duration atLeast = lockAtLeastFor(job.cron(), job.definition().mixpanel().timezone(), slot, now, lockAtMostFor);
        ExportMetrics m = metrics.get(job.name());
        long t0 = System.nanoTime();
        try {
            LockingTaskExecutor.TaskResult<RunSummary> result = locks.executeWithLock(() -> {
                log.info("scheduled run of {} for {} started", job.name(), slot);
                return runner.run(job, m::recordPeople);
            }, new LockConfiguration(now, job.lockName(), lockAtMostFor, atLeast));
            if (!result.wasExecuted()) {
                log.info("scheduled run of {} for {} skipped: another replica holds its lock", job.name(), slot);
                m.recordSkipped();
                return;
            }
            RunSummary s = result.getResult();
            m.recordRun(s, Duration.ofNanos(System.nanoTime() - t0));
            log.info("scheduled run of {} for {} finished: exit {}, {} request(s), {} day(s)", job.name(), slot, s.exitCode(),
                    s.requests(), s.days().size());
        } catch (JobLockedException e) {
            log.info("scheduled run of {} for {} skipped: {}", job.name(), slot, e.getMessage());
            m.recordSkipped();
        } catch (Throwable e) {
            m.recordError(Duration.ofNanos(System.nanoTime() - t0));
            log.error("scheduled run of {} for {} failed: {}", job.name(), slot, e.toString());
        }
    }

    @Override
    public void stop(Runnable callback) {
        synchronized (this) {
            running = false;
            futures.forEach(f -> f.cancel(false));
        }
        Thread waiter = new Thread(() -> {
            while (runner.isRunning()) {
                runner.stopRunning();
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            log.info("scheduler stopped");
            callback.run();
        }, "schedule-stop");
        waiter.setDaemon(true);
        waiter.start();
    }

    @Override
    public void stop() {
        stop(() -> { });
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Shuts the thread pool down once the runs have ended (or the grace period has passed). */
    public void destroy() {
        taskScheduler.shutdown();
    }

    /** A trigger that remembers the time it scheduled last: the slot of the run that is about to start. */
    private static final class SlotTrigger implements Trigger {
        private final Trigger delegate;
        volatile Instant slot;

        SlotTrigger(Trigger delegate) {
            this.delegate = delegate;
        }

        @Override
        public Instant nextExecution(TriggerContext context) {
            Instant next = delegate.nextExecution(context);
            slot = next;
            return next;
        }
    }
}
