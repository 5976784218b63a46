package io.mixpanelpipelines.job;

import io.mixpanelpipelines.state.StateStoreRetry;
import io.mixpanelpipelines.state.StateStoreUnavailableException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;

/**
 * Keeps a run going through a state database outage. When the state store drops in the middle of a run
 * (a PostgreSQL restart, a failover), whatever is in flight fails: mostly a day step's chunk transaction,
 * or Spring Batch's own bookkeeping, which fails the execution. HikariCP already waits up to its
 * connection timeout for a new connection; this waits for the store (with {@link StateStoreRetry}'s
 * backoff, up to {@code pipelines.state.retry-for}), forgets the failed days' outcomes and restarts the
 * execution, after a pause that doubles from 0.5 s with each restart ({@link StateStoreRetry#backoff}): its
 * days resume from their checkpoints and their spools, which are complete (a download that was under way
 * finishes into its spool before its step ends), so no request is sent again.
 *
 * <p>The outage may also strike when a day step saves its own end, which Spring Batch then leaves UNKNOWN (and
 * the job with it) and refuses to restart; such an execution is marked failed first ({@link UnknownExecutions}).
 * Only an execution whose every failure is a transient connection error is restarted: a day that failed
 * for another reason, or a window Mixpanel refused, would spend a request again, so such an execution is
 * left to the next run, as before. At most {@link #MAX_RESTARTS} restarts per launch. Not thread-safe: one
 * per run, like {@link ExportService}.
 */
final class OutageRestarts {

    private static final Logger log = LoggerFactory.getLogger(OutageRestarts.class);
    /** A store that keeps failing after this many restarts fails the run rather than looping. */
    static final int MAX_RESTARTS = 5;
    private static final String DAY_STEP = "exportDay:";

    private final JobOperator jobOperator;
    private final JobRepository jobRepository;
    private final RunOutcomes outcomes;
    private final StateStoreRetry retry;
    private final boolean localDays;

    /**
     * @param localDays whether the day steps run in this process: only then does a failure between the steps
     *     with no day's outcome mean that no day is running (remote workers record their outcomes in their own
     *     processes and may still be converting; their partitions are given out again by {@link DeadWorkerRestarts})
     */
    OutageRestarts(JobOperator jobOperator, JobRepository jobRepository, RunOutcomes outcomes, StateStoreRetry retry,
            boolean localDays) {
        this.localDays = localDays;
        this.jobOperator = jobOperator;
        this.jobRepository = jobRepository;
        this.outcomes = outcomes;
        this.retry = retry;
    }

    /**
     * Runs {@code launch} (which starts or restarts one job instance and returns its execution, or null when
     * there was nothing to run); again, after the store is back, while the execution failed only because
     * of the store.
     *
     * @param jobName the Spring Batch job, to find the execution again when the store failed Spring
     *     Batch's own bookkeeping and {@code launch} threw
     * @throws io.mixpanelpipelines.state.StateStoreUnavailableException the store stayed away for retry-for, or
     *     answered between restarts that each failed on it again, {@link #MAX_RESTARTS} times
     */
    JobExecution run(String jobName, Supplier<JobExecution> launch) {
        for (int restarts = 0; ; restarts++) {
            JobExecution execution;
            Throwable cause;
            try {
                execution = launch.get();
                cause = execution == null ? null : storeFailure(execution);
            } catch (RuntimeException e) {
                if (!StateStoreRetry.isTransient(e)) {
                    throw e;
                }
                execution = null;
                cause = e;
            }
            if (cause == null) {
                return execution;
            }
            if (restarts >= MAX_RESTARTS) {
                // not "unreachable for retry-for": the store answered between the restarts, and each failed again
                throw new StateStoreUnavailableException("the state database " + retry.store() + " failed the run "
                        + (MAX_RESTARTS + 1) + " times in a row, restarted from its checkpoints each time: "
                        + StateStoreRetry.message(cause), cause);
            }
            log.warn("the state database {} failed during the run: {}; restarting the run from its checkpoints in {} ms, "
                    + "once the store answers (for up to {} s)", retry.store(), cause.getMessage(),
                    StateStoreRetry.backoff(restarts).toMillis(), retry.retryFor().toSeconds());
            // a pause before each restart, doubling: a store that fails fast again and again is not met with a
            // loop of restarts within a second (5 restarts: 15.5 s of pauses in all)
            retry.pauseBeforeRestart(restarts, "waiting to restart the run", cause);
            JobExecution last = retry.call("waiting to restart the run", () -> unfinished(jobName));
            if (last == null && execution != null) {
                return execution;
            }
            // last == null after a launch that threw: the store failed while Spring Batch created the
            // execution and its transaction rolled back, so nothing ran; launching again starts it (or finds
            // it completed). Returning here would report the days as never exported, exit 1, no error.
            if (last == null) {
                retry.run("forgetting the run that was never created", () -> forgetInstanceWithoutExecution(jobName));
            } else {
                for (LocalDate d : failedDays(last)) {
                    outcomes.remove(d);
                }
            }
        }
    }

    /**
     * The job's last execution, marked failed when the outage left it looking alive or in an unknown state
     * ({@link UnknownExecutions}); null if it completed.
     */
    private JobExecution unfinished(String jobName) {
        var instance = jobRepository.getLastJobInstance(jobName);
        JobExecution last = instance == null ? null : jobRepository.getLastJobExecution(instance);
        if (last == null || last.getStatus() == BatchStatus.COMPLETED) {
            return null;
        }
        if (last.getStatus().isRunning()) {
            last = jobOperator.recover(last);
        }
        // the outage may have failed a step's own end-of-step metadata write: Spring Batch then leaves the
        // step (and the job) UNKNOWN, or the step still marked running, and refuses to restart either
        return UnknownExecutions.markFailed(jobRepository, last, localDays);
    }

    /**
     * Deletes the job's last instance when it has no execution: Spring Batch commits an instance before it
     * creates its first execution, so a store that failed in between leaves one, and launching the same
     * parameters again would then fail ("Cannot find any job execution for job instance"). It holds nothing:
     * a day's state is kept with its executions.
     */
    private void forgetInstanceWithoutExecution(String jobName) {
        var instance = jobRepository.getLastJobInstance(jobName);
        if (instance != null && jobRepository.getJobExecutions(instance).isEmpty()) {
            jobRepository.deleteJobInstance(instance);
        }
    }

    /**
     * What failed {@code execution} when only the state database's outage did: the days whose step failed
     * for it ({@link RunOutcomes#isStateStoreFailure}); null when it did not fail, or when anything else
     * failed or recorded an outcome (a restart would request that again). Worker steps' exceptions are not
     * kept on the execution a launch returns, so the day steps' listener notes the store's failures, and
     * the steps' statuses are read back from the repository.
     */
    private Throwable storeFailure(JobExecution execution) {
        if (execution.getStatus() != BatchStatus.FAILED && execution.getStatus() != BatchStatus.UNKNOWN) {
            return null;
        }
        for (Throwable t : execution.getFailureExceptions()) {
            if (!StateStoreRetry.isTransient(t)) {
                return null;
            }
        }
        List<LocalDate> storeFailed = new ArrayList<>();
        for (LocalDate d : daysOf(execution)) {
            if (outcomes.isStateStoreFailure(d)) {
                storeFailed.add(d);
            } else if (outcomes.containsKey(d)) {
                return null;
            }
        }
        Throwable between = storeFailed.isEmpty() && localDays ? betweenSteps(execution) : null;
        if (storeFailed.isEmpty() && between == null) {
            return null;
        }
        JobExecution stored = retry.call("reading the failed run", () -> jobRepository.getJobExecution(execution.getId()));
        for (StepExecution step : stored.getStepExecutions()) {
            if (isFailed(step.getStatus()) && step.getStepName().contains(":")
                    && !(step.getStepName().startsWith(DAY_STEP) && storeFailed.contains(dayOf(step)))) {
                return null; // a window fetch or another day failed for a reason of its own
            }
        }
        return between != null ? between : new IllegalStateException(storeFailed.size() + " day(s) failed: " + storeFailed);
    }

    /**
     * What failed {@code execution} when no day step did but the store failed Spring Batch's own work between
     * the steps (creating the days' steps, for one): no day ran, every spool is as the fetch left it. Null
     * unless every failure of the execution and its steps is the store's.
     */
    private static Throwable betweenSteps(JobExecution execution) {
        List<Throwable> failures = execution.getAllFailureExceptions();
        for (Throwable t : failures) {
            if (!StateStoreRetry.isTransient(t)) {
                return null;
            }
        }
        return failures.isEmpty() ? null : failures.get(0);
    }

    /**
     * FAILED, or UNKNOWN: a step whose end the store's failure kept from being saved (its day's listener
     * still ran, so its outcome says why it ended).
     */
    private static boolean isFailed(BatchStatus status) {
        return status == BatchStatus.FAILED || status == BatchStatus.UNKNOWN;
    }

    private static LocalDate dayOf(StepExecution step) {
        return step.getExecutionContext().containsKey(DayPartitioner.DAY)
                ? LocalDate.parse(step.getExecutionContext().getString(DayPartitioner.DAY)) : null;
    }

    private List<LocalDate> failedDays(JobExecution execution) {
        List<LocalDate> days = new ArrayList<>();
        for (LocalDate d : daysOf(execution)) {
            if (outcomes.isStateStoreFailure(d)) {
                days.add(d);
            }
        }
        return days;
    }

    private static List<LocalDate> daysOf(JobExecution execution) {
        List<LocalDate> days = new ArrayList<>();
        io.mixpanelpipelines.job.plan.RequestWindow.decode(execution.getJobParameters().getString("windows"))
                .forEach(w -> days.addAll(w.days()));
        return days;
    }
}
