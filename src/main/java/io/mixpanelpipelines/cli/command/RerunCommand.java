package io.mixpanelpipelines.cli.command;

import io.mixpanelpipelines.config.InvalidJobException;
import io.mixpanelpipelines.job.ExportService;
import io.mixpanelpipelines.job.RunSummary;
import io.mixpanelpipelines.job.plan.DayRanges;
import io.mixpanelpipelines.job.plan.RequestWindow;
import io.mixpanelpipelines.source.RequestBudget;
import java.io.Console;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rerun}: exports days again and replaces them, after saying what it will do and what it costs;
 * on a terminal it asks first unless {@code --yes}. Off a terminal (scripts, Kubernetes jobs) it goes on.
 */
@Command(name = "rerun", mixinStandardHelpOptions = true, description = "Export days again and replace them.")
public final class RerunCommand implements Callable<Integer> {

    @Mixin
    JobFileOption jobFile = new JobFileOption();
    @Spec
    CommandSpec spec;
    @Option(names = "--partition", arity = "1..*", paramLabel = "YYYY-MM-DD", description = "days to export again, YYYY-MM-DD")
    List<String> partitions;
    @Option(names = "--failed", description = "every day whose last attempt failed")
    boolean failed;
    @Mixin
    SummaryJsonOption summaryJson = new SummaryJsonOption();
    @Option(names = "--yes", description = "do not ask for confirmation on a terminal")
    boolean yes;
    @Mixin
    JobLockOption lock = new JobLockOption();

    private final CommandContext context;

    public RerunCommand(CommandContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        if ((partitions == null || partitions.isEmpty()) == !failed) {
            throw new InvalidJobException("rerun needs either --partition YYYY-MM-DD ... or --failed");
        }
        List<LocalDate> days = partitions == null ? null
                : partitions.stream().map(p -> CommandContext.date("--partition", p)).toList();
        return context.withApplication(jobFile.path, false, DebugFlag.on(spec), ctx -> lock.hold(ctx, context.err(), () -> {
            ExportService service = ctx.getBean(ExportService.class);
            List<LocalDate> which = days != null ? days : service.failedDays();
            if (which.isEmpty()) {
                context.out().println("no failed days to rerun");
                return RunSummary.OK;
            }
            if (!confirm(service, which)) {
                context.out().println("rerun cancelled: nothing was changed");
                return RunSummary.OK;
            }
            RunSummary summary;
            String stoppedBy;
            try (StopOnSignal stop = StopOnSignal.install(ctx)) {
                summary = service.rerun(which);
                stoppedBy = stop.received();
            }
            return ExportCommand.report(context, ctx, summary, summaryJson.path, stoppedBy);
        }));
    }

    private boolean confirm(ExportService service, List<LocalDate> days) {
        List<RequestWindow> requests = service.planRerun(days);
        int cost = requests.size();
        RequestBudget.Status budget = service.budget();
        // consecutive days share a request: the line names each one, so the cost can be checked
        context.out().printf("rerun: %d day(s) %s will be fetched afresh and replaced; about %d export request(s) (%s), "
                + "%d of %d left this hour%s%n", days.size(), DayRanges.format(days), cost,
                requests.stream().map(RequestWindow::label).collect(java.util.stream.Collectors.joining(", ")),
                budget.remaining(), budget.perHour(), cost > budget.remaining() ? " (the rest is deferred to a later run)" : "");
        Console console = System.console();
        if (yes || console == null) {
            return true;
        }
        String answer = console.readLine("Go on? [y/N] ");
        return answer != null && (answer.strip().equalsIgnoreCase("y") || answer.strip().equalsIgnoreCase("yes"));
    }
}
