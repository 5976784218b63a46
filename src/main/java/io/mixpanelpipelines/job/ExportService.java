package io.mixpanelpipelines.job;

import io.mixpanelpipelines.job.plan.DayRanges;
import io.mixpanelpipelines.job.plan.PartitionPlanner;
import io.mixpanelpipelines.job.plan.RequestWindow;
import io.mixpanelpipelines.config.InvalidJobException;
import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.dataset.DatasetLayout;
import io.mixpanelpipelines.dataset.DestinationProbe;
import io.mixpanelpipelines.job.day.DaySpools;
import io.mixpanelpipelines.job.day.IdentityMaintenance;
import io.mixpanelpipelines.source.RequestBudget;
import io.mixpanelpipelines.source.gzip.GzipDecoder;
import io.mixpanelpipelines.state.JobLock;
import io.mixpanelpipelines.state.PartitionLedger;
import io.mixpanelpipelines.state.PartitionRecord;
import io.mixpanelpipelines.state.PartitionState;
import io.mixpanelpipelines.state.StateStoreRetry;
import io.mixpanelpipelines.storage.Storage;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
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

/**
 * Plans and runs exports: works out which days a command asks for, skips those already published,
 * finishes what an earlier run left unfinished (restarting its Spring Batch execution so its days resume
 * from their checkpoints), then launches the remaining days and sums up the outcome. A run ({@link #export},
 * {@link #rerun}) needs the job's {@link JobLock} in this process: only its holder may take over an
 * execution left unfinished. Planning and reading ({@link #plan}, {@link #budget}) need none.
 *
 * <p>One per run (its context): not meant for concurrent calls. Restartable in that a run after a crash
 * resumes the last one; an execution that the state database's outage failed is restarted in the same run
 * once the store is back ({@link OutageRestarts}).
 */
public final class ExportService {

    private static final Logger log = LoggerFactory.getLogger(ExportService.class);
    /** Windows per Spring Batch job instance, so the {@code windows} parameter stays within its column. */
    static final int MAX_WINDOWS_PER_INSTANCE = 100;

    private final JobDefinition def;
    private final String runId;
    private final PartitionLedger ledger;
    private final RequestBudget budget;
    private final DaySpools spools;
    private final RunOutcomes outcomes;
    private final Storage storage;
    private final DatasetLayout layout;
    private final JobOperator jobOperator;
    private final JobRepository jobRepository;
    private final Job job;
    private final Clock clock;
    private final PartitionPlanner planner;
    private final JobLock jobLock;
    private final Leftovers leftovers;
    private final OutageRestarts outageRestarts;
    private final StateStoreRetry stateStoreRetry;
    private final DeadWorkerRestarts deadWorkerRestarts;
    /** When the current run began: with remote workers, its requests are the job's since then. */
    private java.time.Instant runStarted;
    private final IdentityMaintenance identity;

    /**
     * @param def the job definition; {@code job} is its Spring Batch job
     * @param outcomes this run's outcomes, written by the steps of {@code job}
     * @param abandoned with remote workers, the manager's watch for partitions of dead workers; else null
     */
    public ExportService(JobDefinition def, String runId, PartitionLedger ledger, RequestBudget budget, DaySpools spools,
            RunOutcomes outcomes, Storage storage, DatasetLayout layout, JobOperator jobOperator,
            JobRepository jobRepository, Job job, JobLock jobLock, Clock clock, StateStoreRetry stateStoreRetry,
            io.mixpanelpipelines.job.remote.AbandonedPartitions abandoned, IdentityMaintenance identity) {
        this.def = def;
        this.runId = runId;
        this.ledger = ledger;
        this.budget = budget;
        this.spools = spools;
        this.outcomes = outcomes;
        this.storage = storage;
        this.layout = layout;
        this.jobOperator = jobOperator;
        this.jobRepository = jobRepository;
        this.job = job;
        this.clock = clock;
        this.planner = new PartitionPlanner(def.export());
        this.jobLock = jobLock;
        this.leftovers = new Leftovers(def, spools, storage, layout, ledger);
        this.outageRestarts = new OutageRestarts(jobOperator, jobRepository, outcomes, stateStoreRetry,
                !def.export().remoteWorkers());
        this.stateStoreRetry = stateStoreRetry;
        this.deadWorkerRestarts = new DeadWorkerRestarts(abandoned);
        this.identity = identity;
    }

    /** Today in the project's timezone. */
    public LocalDate today() {
        return LocalDate.now(clock.withZone(def.mixpanel().timezone()));
    }

    /**
     * Exports {@code from..to}, or, with neither, what the project needs: new days, the late-data lookback
     * and the backfill (see {@link PartitionPlanner}). Published days of a range are skipped, but their
     * identity mappings are brought up to date from their Parquet when they are missing or stale (no request).
     */
    public RunSummary export(LocalDate from, LocalDate to) {
        // planning and running again after the store failed is safe: published days are skipped, spooled
        // ones cost no request, and an execution the outage failed is resumed from its checkpoints
        return stateStoreRetry.call("exporting", () -> {
            List<RequestWindow> windows = plan(from, to); // checks the range first
            List<LocalDate> range = new ArrayList<>();
            if (from != null || to != null) {
                LocalDate first = from != null ? from : def.export().firstDay(today());
                LocalDate last = to != null ? to : today().minusDays(1);
                first.datesUntil(last.plusDays(1)).forEach(range::add);
            }
            return run(windows, false, range);
        });
    }

    /** The requests a run with this range would make, in order; spends nothing. */
    public List<RequestWindow> plan(LocalDate from, LocalDate to) {
        LocalDate yesterday = today().minusDays(1);
        if (to != null && to.isAfter(yesterday)) {
            throw new InvalidJobException("--to " + to + " is not over yet in the project's timezone ("
                    + def.mixpanel().timezone() + "); the last complete day is " + yesterday);
        }
        if (from != null && to != null && from.isAfter(to)) {
            throw new InvalidJobException("--from " + from + " is after --to " + to);
        }
        List<PartitionRecord> records = ledger.list(def.name());
        if (from == null && to == null) {
            return planner.plan(def.export().firstDay(today()), yesterday, records, clock.instant());
        }
        LocalDate first = from != null ? from : def.export().firstDay(today());
        LocalDate last = to != null ? to : yesterday;
        if (first.isAfter(last)) {
            throw new InvalidJobException("--from " + first + " is after --to " + last);
        }
        return planner.planRange(first, last, records, false);
    }

    /** Exports the given days again and replaces them (when their content changed), published or not. */
    public RunSummary rerun(Collection<LocalDate> days) {
        requireLock();
        LocalDate yesterday = today().minusDays(1);
        for (LocalDate d : days) {
            if (d.isAfter(yesterday)) {
                throw new InvalidJobException("--partition " + d + " is not over yet in the project's timezone");
            }
        }
        List<LocalDate> sorted = new ArrayList<>(new java.util.TreeSet<>(days));
        List<RequestWindow> windows = planRerun(sorted);
        ledger.requestRerun(def.name(), sorted);
        // an operator's rerun fetches the days afresh: the old bodies are what they want replaced
        for (LocalDate d : sorted) {
            spools.forDay(d).delete();
            spools.deleteSlices(d);
        }
        for (RequestWindow w : windows) {
            spools.forRequest(spools.windowRequest(w.from(), w.to())).delete();
        }
        return stateStoreRetry.call("rerunning", () -> run(windows, true, sorted));
    }

    /**
     * The requests a {@link #rerun} of these days would make: consecutive days share one, up to
     * {@code export.daysPerRequest}, as in a run without a range. Spends and changes nothing.
     */
    public List<RequestWindow> planRerun(Collection<LocalDate> days) {
        return planner.planRerun(days, ledger.list(def.name()));
    }

    /** Days whose last attempt failed. */
    public List<LocalDate> failedDays() {
        List<LocalDate> days = new ArrayList<>();
        for (PartitionRecord r : ledger.list(def.name())) {
            if (r.state() == PartitionState.FAILED) {
                days.add(r.day());
            }
        }
        return days;
    }

    /** The request budget as it stands. */
    public RequestBudget.Status budget() {
        return budget.status();
    }

    private void requireLock() {
        if (!jobLock.isHeld(def.name())) {
            throw new IllegalStateException("job '" + def.name() + "' is run without its lock");
        }
    }

    /** @param identityDays days whose identity mappings are repaired after the run, with the run's own days */
    private RunSummary run(List<RequestWindow> windows, boolean replace, Collection<LocalDate> identityDays) {
        requireLock();
        runStarted = clock.instant();
        checkDestination();
        // resolved before any request is spent: PIPELINES_INFLATER=isal without a working igzip fails here
        log.debug("gzip inflater: {}", GzipDecoder.describe());
        Set<LocalDate> attempted = new LinkedHashSet<>(resumeUnfinished());
        List<RequestWindow> todo = new ArrayList<>();
        Set<LocalDate> report = new LinkedHashSet<>(attempted);
        for (RequestWindow w : windows) {
            report.addAll(w.days());
            // a day the resumed run finished needs nothing more; one it failed is planned again
            if (!w.days().stream().allMatch(d -> attempted.contains(d) && !outcomes.containsKey(d))) {
                todo.add(w);
            }
        }
        for (LocalDate d : todo.stream().flatMap(w -> w.days().stream()).toList()) {
            outcomes.remove(d);
        }
        // take what fits in the budget now, in the planned order; defer the rest without a request
        int remaining = budget.status().remaining();
        List<RequestWindow> now = new ArrayList<>();
        List<LocalDate> deferred = new ArrayList<>();
        for (RequestWindow w : todo) {
            if (spools.isFetched(w)) {
                now.add(w);
            } else if (remaining > 0) {
                // a sliced day goes when a request is left: slices beyond the budget defer it with the rest spooled
                now.add(w);
                remaining -= spools.requestsLeft(w);
            } else {
                deferred.addAll(w.days());
            }
        }
        if (!deferred.isEmpty()) {
            RequestBudget.Status s = budget.status();
            // the slots this run is about to use are spent too: the deferred days wait for the one after them
            int sending = now.stream().mapToInt(spools::requestsLeft).sum();
            String reason = "export budget spent (" + s.perHour() + " requests per hour, export.requestsPerHour); next request at "
                    + budget.nextSlotAt(sending);
            ledger.deferred(def.name(), deferred, runId, reason);
            deferred.forEach(d -> outcomes.put(d, DayStepListener.DEFERRED));
            log.warn("deferred {} day(s): {}", deferred.size(), reason);
        }
        if (now.isEmpty() && attempted.isEmpty() && deferred.isEmpty()) {
            log.info("nothing to do: every requested day is published");
        }
        for (int i = 0; i < now.size(); i += MAX_WINDOWS_PER_INSTANCE) {
            launch(now.subList(i, Math.min(now.size(), i + MAX_WINDOWS_PER_INSTANCE)));
        }
        // what a crash or an error left between a day's events and its identity mappings, and the mappings
        // missing from days published before they existed (in an explicit range): no request either way
        Set<LocalDate> identityTodo = new java.util.TreeSet<>(identityDays);
        identityTodo.addAll(report);
        identity.repair(identityTodo);
        return finish(new ArrayList<>(new java.util.TreeSet<>(report)), null);
    }

    /**
     * Restarts the last execution of this job if it did not complete: a crashed process left it STARTED
     * (it is marked failed first), a failed one left FAILED, a state database outage at the end of a step
     * left UNKNOWN (marked failed first too). Its days resume from their checkpoints.
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
            // this process holds the job's lock (run() checked): an execution still marked running belongs
            // to a process that died or lost its lease
            log.warn("the previous run (execution {}) did not finish; recovering it", last.getId());
            deadWorkerRestarts.beforeRecover(last);
            last = jobOperator.recover(last);
        }
        // a state database outage at the end of a step left it (and the job) UNKNOWN, which Spring Batch
        // would refuse to restart for good: its days resume from their checkpoints like a crashed run's
        last = UnknownExecutions.markFailed(jobRepository, last, !def.export().remoteWorkers());
        List<LocalDate> days = new ArrayList<>();
        RequestWindow.decode(last.getJobParameters().getString("windows")).forEach(w -> days.addAll(w.days()));
        log.info("resuming the unfinished run of {} day(s) {}", days.size(), DayRanges.format(days));
        leftovers.beforeResume(days);
        execute(last.getJobParameters());
        return days;
    }

    private void launch(List<RequestWindow> windows) {
        JobParameters params = new JobParametersBuilder()
                .addString("job", def.name())
                .addString("windows", RequestWindow.encode(windows))
                .addString("run.id", runId)
                .toJobParameters();
        log.info("exporting {} request window(s): {}", windows.size(), RequestWindow.encode(windows));
        execute(params);
    }

    /** Starts (or restarts) the job instance of {@code params}, riding out a state database outage ({@link OutageRestarts}). */
    private void execute(JobParameters params) {
        deadWorkerRestarts.run(() -> outageRestarts.run(job.getName(), () -> {
            try {
                // failed days were reported by DayStepListener as they failed; the summary lists them again
                return jobOperator.start(job, params);
            } catch (org.springframework.batch.core.launch.JobInstanceAlreadyCompleteException e) {
                log.info("days {} were completed by an earlier run", params.getString("days"));
                return null;
            } catch (Exception e) {
                throw new IllegalStateException("cannot run the export job: " + e.getMessage(), e);
            }
        }));
    }

    private RunSummary finish(List<LocalDate> days, String message) {
        leftovers.afterRun(days, outcomes);
        List<RunSummary.Day> out = new ArrayList<>();
        boolean fatal = false;
        boolean deferred = false;
        boolean failed = false;
        for (LocalDate d : days) {
            PartitionRecord r = ledger.find(def.name(), d).orElse(null);
            String state = r == null ? "MISSING" : r.state().name();
            String code = outcomes.get(d);
            boolean published = r != null && r.state() == PartitionState.PUBLISHED;
            if (DayStepListener.FATAL.equals(code)) {
                fatal = true;
            } else if (DayStepListener.DEFERRED.equals(code) || (r != null && r.state() == PartitionState.DEFERRED)) {
                deferred = true;
            } else if (code != null || !published) {
                failed = true;
            }
            out.add(r == null ? new RunSummary.Day(d, state, 0, 0, 0, 0, null)
                    : new RunSummary.Day(d, state, r.rows(), r.files(), r.bytes(), r.rejectedLines(),
                            published && code == null ? null : r.lastError()));
        }
        int exit = fatal ? RunSummary.INVALID : failed ? RunSummary.FAILED : deferred ? RunSummary.DEFERRED : RunSummary.OK;
        int requests = def.export().remoteWorkers() ? budget.countForJobSince(runStarted) : budget.countForRun();
        return new RunSummary(def.name(), runId, out, requests, exit, message,
                budget.status());
    }

    /** Fails before any request when the destination cannot be written. */
    private void checkDestination() {
        DestinationProbe.check(storage, layout, def.mixpanel().projectId(), runId);
    }
}
