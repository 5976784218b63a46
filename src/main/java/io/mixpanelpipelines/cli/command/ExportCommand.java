package io.mixpanelpipelines.cli.command;

import io.mixpanelpipelines.cli.output.PeoplePrinter;
import io.mixpanelpipelines.cli.output.SummaryPrinter;
import io.mixpanelpipelines.config.InvalidJobException;
import io.mixpanelpipelines.people.PeopleExportService;
import io.mixpanelpipelines.people.PeopleRunSummary;
import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.dataset.DatasetLayout;
import io.mixpanelpipelines.job.ExportService;
import io.mixpanelpipelines.schedule.RunMetricsPush;
import io.mixpanelpipelines.job.RunSummary;
import io.mixpanelpipelines.state.PartitionLedger;
import io.mixpanelpipelines.state.PartitionState;
import io.mixpanelpipelines.storage.Location;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code export}: a range of days, or what the project needs; then loads the published days into the
 * job's warehouse unless {@code --no-load}. Exit code: the run's ({@link RunSummary#exitCode()}); a failed
 * load turns a successful run into 1 but never hides a deferral or a failed day; SIGINT/SIGTERM stop the
 * run at its next checkpoint (the people snapshot after the page in flight), skip the load and exit 130/143
 * (see {@link StopOnSignal}).
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a range (its published days are not requested again) or, with no range, what the "
                + "project needs: reruns, new days with the late-data lookback, then the backfill, within the budget.")
public final class ExportCommand implements Callable<Integer> {

    @Mixin
    JobFileOption jobFile = new JobFileOption();
    @Spec
    CommandSpec spec;
    @Mixin
    DayRangeOptions range = new DayRangeOptions();
    @Mixin
    SummaryJsonOption summaryJson = new SummaryJsonOption();
    @Option(names = "--no-load", description = "do not load the published days into the job's warehouse")
    boolean noLoad;
    @Mixin
    JobLockOption lock = new JobLockOption();
    @Option(names = "--only", paramLabel = "events|people", description = "export only the events, or only the people "
            + "profiles (default: the events, then the people profiles when the job has a people section)")
    String only;

    private final CommandContext context;

    public ExportCommand(CommandContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        LocalDate f = range.from();
        LocalDate t = range.to();
        if (only != null && !only.equals("events") && !only.equals("people")) {
            throw new InvalidJobException("--only must be events or people, not '" + only + "'");
        }
        if ("people".equals(only) && (f != null || t != null)) {
            throw new InvalidJobException("--only people takes no day range: a people snapshot is of today");
        }
        return context.withApplication(jobFile.path, !noLoad, DebugFlag.on(spec), ctx -> lock.hold(ctx, context.err(), () -> {
            PeopleExportService people = ctx.getBean(PeopleExportService.class);
            if ("people".equals(only) && !people.enabled()) {
                throw new InvalidJobException("--only people: the job file has no people section");
            }
            RunSummary summary = null;
            String stoppedBy;
            int code;
            try (StopOnSignal stop = StopOnSignal.install(ctx)) {
                if ("people".equals(only)) {
                    code = exportPeople(ctx, people, RunSummary.OK, false, stop);
                    return code;
                }
                summary = ctx.getBean(ExportService.class).export(f, t);
                stoppedBy = stop.received();
                code = report(context, ctx, summary, summaryJson.path, stoppedBy);
                if (stoppedBy == null && only == null && people.enabled() && code != RunSummary.INVALID) {
                    code = exportPeople(ctx, people, code, true, stop);
                    stoppedBy = stop.received();
                }
            }
            if (stoppedBy != null || noLoad || ctx.getBean(JobDefinition.class).warehouse() == null
                    || code == RunSummary.INVALID) {
                return code;
            }
            int load = new WarehouseCommands(ctx, context.environment(), context.out(), context.err(), context.clock())
                    .loadAfterExport(summary);
            // a failed load is a failure to retry, but never hides a deferral or a failed day
            return code == RunSummary.OK ? load : code;
        }));
    }

    /**
     * Runs the people datasets; returns the exit code of the whole command (with the events' when they ran),
     * 130/143 when a signal stopped them (as it does the events).
     */
    private int exportPeople(ConfigurableApplicationContext ctx, PeopleExportService people, int eventsCode, boolean eventsRan,
            StopOnSignal stop) {
        PeopleRunSummary s = people.run(() -> stop.received() != null);
        if (!eventsRan) {
            // the events' summary names the state store; --only people says it too, as every summary does
            context.out().println("State: " + CommandContext.stateStore(ctx));
        }
        new PeoplePrinter(context.out()).run(s);
        int code = eventsRan ? combined(eventsCode, s.exitCode()) : s.exitCode();
        if (stop.received() != null) {
            code = stop.exitCode();
            context.err().println("people: stopped by " + stop.received() + "; the next run continues at the next page");
        }
        if (summaryJson.path != null) {
            PeoplePrinter.writeJson(s, summaryJson.path, code, eventsRan);
        }
        RunMetricsPush.people(context.environment(), ctx, s, context.err());
        return code;
    }

    /** The exit code of events and people together: invalid, then failed, then deferred, then OK. */
    static int combined(int events, int people) {
        for (int code : new int[] {RunSummary.INVALID, RunSummary.FAILED, RunSummary.DEFERRED}) {
            if (events == code || people == code) {
                return code;
            }
        }
        return RunSummary.OK;
    }

    /**
     * Prints a run's summary (and writes its JSON when asked); returns the command's exit code: the
     * run's, or {@link StopOnSignal#SIGINT_EXIT}/{@link StopOnSignal#SIGTERM_EXIT} when a signal stopped it.
     */
    static int report(CommandContext context, ConfigurableApplicationContext ctx, RunSummary summary, Path summaryJson,
            String stoppedBy) {
        JobDefinition job = ctx.getBean(JobDefinition.class);
        PartitionLedger ledger = ctx.getBean(PartitionLedger.class);
        Map<LocalDate, String> fileRunIds = new TreeMap<>();
        for (RunSummary.Day d : summary.days()) {
            if (d.state().equals(PartitionState.PUBLISHED.name())) {
                ledger.find(job.name(), d.day()).ifPresent(r -> fileRunIds.put(d.day(), r.runId()));
            }
        }
        Location events = new DatasetLayout(job.destination().uri(), job.mixpanel().projectId()).events();
        context.out().println("State: " + CommandContext.stateStore(ctx));
        new SummaryPrinter(context.out()).print(summary, events, fileRunIds, stoppedBy);
        if (job.export().remoteWorkers()) {
            // a day (or a day's slice) failed on a worker, another machine: its log is not this one's, so the
            // manager says it on its own stderr, once per day, with the slice that failed
            for (RunSummary.Day d : summary.days()) {
                if (!d.state().equals(PartitionState.PUBLISHED.name()) && d.error() != null) {
                    context.err().println("error: " + d.day() + ": " + d.error());
                }
            }
        }
        int code = stoppedBy == null ? summary.exitCode()
                : stoppedBy.equals("SIGINT") ? StopOnSignal.SIGINT_EXIT : StopOnSignal.SIGTERM_EXIT;
        if (summaryJson != null) {
            SummaryPrinter.writeJson(summary, summaryJson, code, stoppedBy);
        }
        RunMetricsPush.export(context.environment(), ctx, summary, context.clock(), context.err());
        return code;
    }
}
