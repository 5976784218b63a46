package io.mixpanelpipelines.job;

import java.time.LocalDateTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;

/**
 * Makes an execution that Spring Batch left {@link BatchStatus#UNKNOWN}, or ended with a step still marked
 * running, restartable again, by marking it and those steps FAILED. Spring Batch marks a step UNKNOWN when it cannot save the step's own metadata at
 * its end (or cannot roll a chunk back), as when the state database goes away just then, and refuses to
 * restart such a step or job ("manual intervention is probably necessary"), so without this one outage at
 * that moment would fail every later run of the job. For this job such an execution is no more dangerous to
 * restart than one whose process died at that moment: a window fetch uses its complete spools, and a day
 * resumes from the checkpoint its last committed chunk saved (or finds itself published), bringing its
 * outputs back to it ({@code job.day.DayCheckpoint}). Stateless.
 */
final class UnknownExecutions {

    private static final Logger log = LoggerFactory.getLogger(UnknownExecutions.class);

    private UnknownExecutions() {
    }

    /**
     * {@code execution} read again, with itself and each of its steps that is UNKNOWN marked FAILED (saved);
     * the execution as read when nothing was UNKNOWN.
     *
     * @param stepsRanHere whether the execution's steps ran in this process (no remote workers): then, once the
     *     execution has ended, a step still marked running is one whose failed end the store's outage kept
     *     from being saved (its connection broke as it ended), and Spring Batch refuses to restart an
     *     execution with a running step ("a job execution for this job is already running"): it is marked
     *     FAILED too. A remote worker's step may really still be running, so it is left to
     *     {@link DeadWorkerRestarts}.
     */
    static JobExecution markFailed(JobRepository repository, JobExecution execution, boolean stepsRanHere) {
        JobExecution stored = repository.getJobExecution(execution.getId());
        if (stored == null) {
            return execution;
        }
        boolean ended = !stored.getStatus().isRunning();
        boolean marked = false;
        for (StepExecution step : stored.getStepExecutions()) {
            if (step.getStatus() == BatchStatus.UNKNOWN || (stepsRanHere && ended && step.getStatus().isRunning())) {
                step.setStatus(BatchStatus.FAILED);
                step.setExitStatus(ExitStatus.FAILED.addExitDescription(
                        "its metadata could not be saved (the state database failed); restarted from its checkpoint"));
                if (step.getEndTime() == null) {
                    step.setEndTime(LocalDateTime.now());
                }
                repository.update(step);
                marked = true;
            }
        }
        if (stored.getStatus() == BatchStatus.UNKNOWN) {
            stored.setStatus(BatchStatus.FAILED);
            stored.setExitStatus(ExitStatus.FAILED);
            if (stored.getEndTime() == null) {
                stored.setEndTime(LocalDateTime.now());
            }
            repository.update(stored);
            marked = true;
        }
        if (marked) {
            log.info("execution {} was left in an unknown state by a state database failure; marked failed to "
                    + "restart it from its checkpoints", stored.getId());
        }
        return stored;
    }
}
