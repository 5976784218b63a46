package io.mixpanelpipelines.job;

import io.mixpanelpipelines.config.InvalidJobException;
import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.source.ExportRequest;
import io.mixpanelpipelines.state.PartitionLedger;
import io.mixpanelpipelines.state.PartitionRecord;
import io.mixpanelpipelines.state.PartitionState;
import io.mixpanelpipelines.state.jdbc.JdbcRequestLog;
import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.PositionOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;

/**
 * Plans and runs exports: works out which days a command asks for, skips those already published,
 * finishes what an earlier run left unfinished (restarting its Spring Batch execution so its days resume
 * from their checkpoints), then launches the remaining days and sums up the outcome.
 */
public final class ExportService {

    private static final Logger log = LoggerFactory.getLogger(ExportService.class);
    /** Days per Spring Batch job instance, so the {@code days} parameter stays short. */
    static final int MAX_DAYS_PER_INSTANCE = 120;

    private final ExportContext ctx;
    private final JobOperator jobOperator;
    private final JobRepository jobRepository;
    private final Job job;
    private final JdbcRequestLog requestLog;
    private final Clock clock;

    public ExportService(ExportContext ctx, JobOperator jobOperator, JobRepository jobRepository, Job job,
            JdbcRequestLog requestLog, Clock clock) {
        this.ctx = ctx;
        this.jobOperator = jobOperator;
        this.jobRepository = jobRepository;
        this.job = job;
        this.requestLog = requestLog;
        this.clock = clock;
    }

    /** Today in the project's timezone. */
    public LocalDate today() {
        return LocalDate.now(clock.withZone(ctx.job().mixpanel().timezone()));
    }

    /**
     * Exports {@code from..to} (each may be null: from the job's start date, to yesterday in the project's
     * timezone). Published days are skipped.
     */
    public RunSummary export(LocalDate from, LocalDate to) {
        JobDefinition def = ctx.job();
        LocalDate yesterday = today().minusDays(1);
        LocalDate first = from != null ? from : def.export().firstDay(today());
        LocalDate last = to != null ? to : yesterday;
        if (last.isAfter(yesterday)) {
            throw new InvalidJobException("--to " + last + " is not over yet in the project's timezone ("
                    + def.mixpanel().timezone() + "); the last complete day is " + yesterday);
        }
        if (first.isAfter(last)) {
            if (from == null && to == null) {
                return finish(List.of(), "nothing to export: export.startDate " + first + " is after yesterday " + yesterday);
            }
            throw new InvalidJobException("--from " + first + " is after --to " + last);
        }
        List<LocalDate> wanted = new ArrayList<>();
        for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
            wanted.add(d);
        }
        return run(wanted, false);
    }

    /** Exports the given days again and replaces them, published or not. */
    public RunSummary rerun(Collection<LocalDate> days) {
        LocalDate yesterday = today().minusDays(1);
        for (LocalDate d : days) {
            if (d.isAfter(yesterday)) {
                throw new InvalidJobException("--partition " + d + " is not over yet in the project's timezone");
            }
        }
        List<LocalDate> sorted = new ArrayList<>(new java.util.TreeSet<>(days));
        ctx.ledger().requestRerun(ctx.job().name(), sorted);
        for (LocalDate d : sorted) {
            // an operator's rerun fetches the day afresh: the old body is what they want replaced
            ctx.spools().forRequest(new ExportRequest(d, d, ctx.job().export().events(), null, null,
                    ctx.job().export().timeInMs())).delete();
        }
        return run(sorted, true);
    }

    /** Days whose last attempt failed. */
    public List<LocalDate> failedDays() {
        List<LocalDate> days = new ArrayList<>();
        for (PartitionRecord r : ctx.ledger().list(ctx.job().name())) {
            if (r.state() == PartitionState.FAILED) {
                days.add(r.day());
            }
        }
        return days;
    }

    private RunSummary run(List<LocalDate> wanted, boolean replace) {
        checkDestination();
        Set<LocalDate> attempted = new LinkedHashSet<>(resumeUnfinished());
        List<LocalDate> todo = new ArrayList<>();
        for (LocalDate d : wanted) {
            if (attempted.contains(d)) {
                continue;
            }
            PartitionRecord r = ctx.ledger().find(ctx.job().name(), d).orElse(null);
            if (r != null && r.state() == PartitionState.PUBLISHED && !replace) {
                continue;
            }
            todo.add(d);
        }
        if (todo.isEmpty() && attempted.isEmpty()) {
            log.info("nothing to do: every requested day is published");
        }
        for (int i = 0; i < todo.size(); i += MAX_DAYS_PER_INSTANCE) {
            List<LocalDate> group = todo.subList(i, Math.min(todo.size(), i + MAX_DAYS_PER_INSTANCE));
            launch(group);
            attempted.addAll(group);
        }
        Set<LocalDate> report = new LinkedHashSet<>(wanted);
        report.addAll(attempted);
        return finish(new ArrayList<>(report), null);
    }

    /**
     * Restarts the last execution of this job if it did not complete: a crashed process left it STARTED
     * (it is marked failed first), a failed one left FAILED. Its days resume from their checkpoints.
     */
    private List<LocalDate> resumeUnfinished() {
        JobInstance instance = jobRepository.getLastJobInstance(job.getName());
        if (instance == null) {
            return List.of();
        }
        JobExecution last = jobRepository.getLastJobExecution(instance);
        if (last == null || last.getStatus() == BatchStatus.COMPLETED || last.getStatus() == BatchStatus.ABANDONED) {
            return List.of();
        }
        if (last.getStatus().isRunning() || last.getStatus() == BatchStatus.UNKNOWN) {
            // A single scheduler per job is assumed here: an execution still marked running belongs to a
            // process that died (a database lock per job comes with the scheduler).
            log.warn("the previous run (execution {}) did not finish; recovering it", last.getId());
            last = jobOperator.recover(last);
        }
        List<LocalDate> days = DayRanges.parse(last.getJobParameters().getString("days"));
        log.info("resuming the unfinished run of {} day(s) {}", days.size(), DayRanges.format(days));
        execute(last.getJobParameters());
        return days;
    }

    private void launch(List<LocalDate> days) {
        JobParameters params = new JobParametersBuilder()
                .addString("job", ctx.job().name())
                .addString("days", DayRanges.format(days))
                .addString("run.id", ctx.runId(), false)
                .toJobParameters();
        log.info("exporting {} day(s): {}", days.size(), DayRanges.format(days));
        execute(params);
    }

    private void execute(JobParameters params) {
        try {
            // failed days were reported by DayStepListener as they failed; the summary lists them again
            jobOperator.start(job, params);
        } catch (org.springframework.batch.core.launch.JobInstanceAlreadyCompleteException e) {
            log.info("days {} were completed by an earlier run", params.getString("days"));
        } catch (Exception e) {
            throw new IllegalStateException("cannot run the export job: " + e.getMessage(), e);
        }
    }

    private RunSummary finish(List<LocalDate> days, String message) {
        List<RunSummary.Day> out = new ArrayList<>();
        Map<LocalDate, String> exitCodes = lastExitCodes();
        boolean fatal = false;
        boolean deferred = false;
        boolean failed = false;
        for (LocalDate d : days) {
            PartitionRecord r = ctx.ledger().find(ctx.job().name(), d).orElse(null);
            String state = r == null ? "MISSING" : r.state().name();
            String code = exitCodes.get(d);
            if (r == null || r.state() != PartitionState.PUBLISHED) {
                if (DayStepListener.FATAL.equals(code)) {
                    fatal = true;
                } else if (DayStepListener.DEFERRED.equals(code)) {
                    deferred = true;
                    state = "DEFERRED";
                } else {
                    failed = true;
                }
            }
            out.add(r == null ? new RunSummary.Day(d, state, 0, 0, 0, 0, null)
                    : new RunSummary.Day(d, state, r.rows(), r.files(), r.bytes(), r.rejectedLines(),
                            r.state() == PartitionState.PUBLISHED ? null : r.lastError()));
        }
        int exit = fatal ? RunSummary.INVALID : failed ? RunSummary.FAILED : deferred ? RunSummary.DEFERRED : RunSummary.OK;
        return new RunSummary(ctx.job().name(), ctx.runId(), out, requestLog.countForRun(), exit, message);
    }

    /** The exit code of each day's latest worker step in this run's executions. */
    private Map<LocalDate, String> lastExitCodes() {
        Map<LocalDate, String> codes = new LinkedHashMap<>();
        for (JobInstance instance : jobRepository.findJobInstances(job.getName())) {
            JobExecution e = jobRepository.getLastJobExecution(instance);
            if (e == null || !ctx.runId().equals(e.getJobParameters().getString("run.id"))) {
                continue;
            }
            for (StepExecution s : e.getStepExecutions()) {
                if (s.getExecutionContext().containsKey(DayPartitioner.DAY)) {
                    codes.put(LocalDate.parse(s.getExecutionContext().getString(DayPartitioner.DAY)),
                            s.getExitStatus().getExitCode());
                }
            }
        }
        return codes;
    }

    /** Fails before any request when the destination cannot be written. */
    private void checkDestination() {
        Location probe = ctx.layout().root().resolve(ctx.job().mixpanel().projectId(), "_staging", ".write-check-" + ctx.runId());
        try {
            PositionOutputStream out = ctx.storage().newOutputFile(probe).create();
            out.write('x');
            out.close();
            ctx.storage().delete(probe);
        } catch (IOException | RuntimeException e) {
            throw new InvalidJobException("destination " + ctx.layout().root() + " is not writable: " + e.getMessage());
        }
    }
}
