package io.mixpanelpipelines.job;

import io.mixpanelpipelines.config.InvalidJobException;
import io.mixpanelpipelines.job.day.DayCheckpoint;
import io.mixpanelpipelines.job.day.DaySpools;
import io.mixpanelpipelines.job.day.DayStream;
import io.mixpanelpipelines.job.day.RejectedUpload;
import io.mixpanelpipelines.job.plan.RequestWindow;
import io.mixpanelpipelines.job.day.PartitionFailedException;
import io.mixpanelpipelines.source.MixpanelAuthenticationException;
import io.mixpanelpipelines.source.MixpanelRateLimitedException;
import io.mixpanelpipelines.source.MixpanelRequestException;
import io.mixpanelpipelines.source.Spool;
import io.mixpanelpipelines.state.PartitionLedger;
import io.mixpanelpipelines.state.StateStoreRetry;
import java.time.LocalDate;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;

/**
 * After a day's (or a day slice's) worker step: records a failure in the ledger with the kind of failure as the step's exit
 * code ({@link #FATAL}, {@link #DEFERRED} or FAILED), or, once the step has committed a published day,
 * deletes its spool. A step stopped on request is no failure: the day keeps its state for the next run.
 * Mixpanel refusing the credentials is logged once per run, not once per day. Thread-safe.
 */
public final class DayStepListener implements StepExecutionListener {

    /** Exit code of a day that failed for a reason no retry can fix (credentials, a refused request). */
    public static final String FATAL = "FAILED_FATAL";
    /** Exit code of a day deferred because Mixpanel's export limit was spent. */
    public static final String DEFERRED = "DEFERRED";

    private static final Logger log = LoggerFactory.getLogger(DayStepListener.class);

    private final String jobName;
    private final String runId;
    private final PartitionLedger ledger;
    private final DaySpools spools;
    private final RunOutcomes outcomes;
    private final AtomicBoolean credentialsRefusalLogged = new AtomicBoolean();

    private final String stateStore;
    /** The project's timezone, in which a sliced day's slices are cut. */
    private final java.time.ZoneId zone;
    /** With remote workers: copies a completed step's rejected lines to the destination; else null. */
    private final RejectedUpload rejectedUpload;

    /** @param stateStore the state database for people (URL without credentials), named when it fails a day */
    public DayStepListener(String jobName, String runId, PartitionLedger ledger, DaySpools spools, RunOutcomes outcomes,
            String stateStore, java.time.ZoneId zone, RejectedUpload rejectedUpload) {
        this.zone = zone;
        this.rejectedUpload = rejectedUpload;
        this.stateStore = stateStore;
        this.jobName = jobName;
        this.runId = runId;
        this.ledger = ledger;
        this.spools = spools;
        this.outcomes = outcomes;
    }

    @Override
    public ExitStatus afterStep(StepExecution stepExecution) {
        LocalDate day = LocalDate.parse(stepExecution.getExecutionContext().getString(DayPartitioner.DAY));
        if (stepExecution.getStatus() == BatchStatus.COMPLETED) {
            copyRejected(day, stepExecution.getExecutionContext());
            // a slice's spool stays until its day is assembled: the assembling slice then deletes them all (the
            // others have finished reading theirs)
            if (DayStream.assembledDay(stepExecution.getExecutionContext())
                    || !stepExecution.getExecutionContext().containsKey(DayPartitioner.SLICE)
                    && DayCheckpoint.isPublished(stepExecution.getExecutionContext())) {
                deleteSpool(day, stepExecution.getExecutionContext());
            }
            return null;
        }
        if (stepExecution.getStatus() == BatchStatus.STOPPED) {
            // stopped on request (SIGTERM) at a checkpoint: not a failure; the next run resumes the day there
            log.info("{}: stopped at its last checkpoint", day);
            return null;
        }
        Throwable failure = stepExecution.getFailureExceptions().isEmpty() ? null
                : rootOf(stepExecution.getFailureExceptions().get(0));
        String message = failure == null ? "step " + stepExecution.getStatus()
                : failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        String slice = stepExecution.getExecutionContext().containsKey(DayPartitioner.SLICE_LABEL)
                ? stepExecution.getExecutionContext().getString(DayPartitioner.SLICE_LABEL) : null;
        if (slice != null && !message.startsWith(slice)) { // the day's slice that failed: the others may be staged
            message = "slice " + slice + ": " + message;
        }
        String code = failure instanceof MixpanelAuthenticationException || failure instanceof MixpanelRequestException
                || failure instanceof InvalidJobException ? FATAL
                : failure instanceof MixpanelRateLimitedException
                        || failure instanceof io.mixpanelpipelines.source.RequestBudgetExhaustedException
                        ? DEFERRED : ExitStatus.FAILED.getExitCode();
        if (stepExecution.getFailureExceptions().stream().anyMatch(StateStoreRetry::isTransient)) {
            // noted before the ledger write below, which may fail too while the store is away
            outcomes.stateStoreFailed(day);
            message = "the state database " + stateStore + " failed: " + message;
        }
        if (code.equals(DEFERRED)) {
            // the request was never answered: a later run plans the day again
            ledger.deferred(jobName, java.util.List.of(day), runId, message);
            log.warn("{}: deferred: {}", day, message);
        } else {
            ledger.failed(jobName, day, runId, message);
            if (failure instanceof MixpanelAuthenticationException && !credentialsRefusalLogged.compareAndSet(false, true)) {
                // every other day fails for the same refusal: one line says it (the summary lists each day)
                log.debug("{}: failed: {}", day, message);
            } else {
                log.error("{}: failed: {}", day, message);
            }
        }
        outcomes.put(day, code);
        return new ExitStatus(code, message);
    }

    private void deleteSpool(LocalDate day, org.springframework.batch.infrastructure.item.ExecutionContext ec) {
        Spool spool = spools.forDay(day);
        try {
            spool.delete();
            if (ec.containsKey(DayPartitioner.WINDOW)) { // a sliced day: its slices' spools, shared copies too
                spools.deleteSlices(day, RequestWindow.decode(ec.getString(DayPartitioner.WINDOW)).get(0).slices(zone));
            } else {
                spools.deleteSlices(day); // left by a crash between assembling the day's spool and deleting them
            }
        } catch (RuntimeException e) {
            log.warn("{}: published, but its spool {} could not be deleted: {}", day, spool.dir(), e.getMessage());
        }
    }

    /** With remote workers: the step's rejected and repaired lines, from the worker's disk to the destination. */
    private void copyRejected(LocalDate day, org.springframework.batch.infrastructure.item.ExecutionContext ec) {
        if (rejectedUpload == null) {
            return;
        }
        String name = ec.containsKey(DayPartitioner.SLICE_LABEL) ? ec.getString(DayPartitioner.SLICE_LABEL) : day.toString();
        try {
            rejectedUpload.copy(spools.forDay(day), name);
        } catch (java.io.IOException | RuntimeException e) {
            log.warn("{}: its rejected lines stay on this worker's disk in {}: {}", name, spools.forDay(day).rejectedDir(),
                    e.getMessage());
        }
    }

    /** The exception that says what went wrong: our own, below Spring Batch's wrappers. */
    static Throwable rootOf(Throwable t) {
        Throwable cur = t;
        while (cur.getCause() != null && cur.getCause() != cur
                && !(cur instanceof io.mixpanelpipelines.source.MixpanelException)
                && !(cur instanceof PartitionFailedException) && !(cur instanceof InvalidJobException)) {
            cur = cur.getCause();
        }
        return cur;
    }

}
