package io.mixpanelpipelines.cli.command;

import io.mixpanelpipelines.cli.output.PeoplePrinter;
import io.mixpanelpipelines.cli.output.IdentityStatus;
import io.mixpanelpipelines.cli.output.StatusCalendar;
import io.mixpanelpipelines.people.PeopleExportService;
import io.mixpanelpipelines.cli.output.SummaryPrinter;
import io.mixpanelpipelines.config.InvalidJobException;
import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.job.ExportService;
import io.mixpanelpipelines.job.RunSummary;
import io.mixpanelpipelines.source.RequestBudget;
import io.mixpanelpipelines.state.IdentityLedger;
import io.mixpanelpipelines.state.PartitionLedger;
import io.mixpanelpipelines.state.PartitionRecord;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code status}: the job's days as a month calendar, its partitions and the budget; with {@code --json}
 * the same for machines; with {@code --partition D} one day's state as JSON, the exit code being an
 * Airflow sensor's answer (see {@link WarehouseCommands#status}).
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the job's days as a month calendar by state, its partitions and the budget left this hour.")
public final class StatusCommand implements Callable<Integer> {

    @Mixin
    JobFileOption jobFile = new JobFileOption();
    @Spec
    CommandSpec spec;
    @Option(names = "--partition", paramLabel = "YYYY-MM-DD",
            description = "one day's state as JSON (an Airflow sensor: exit 0 ready, 75 not yet, 1 failed, 2 outside the job's range)")
    String partition;
    @Option(names = "--json", description = "as JSON: the day (with --partition), or every day by state, the missing "
            + "days and the budget")
    boolean json;
    @Option(names = "--loaded", description = "with --partition: exit 0 only when the day is also loaded into the warehouse")
    boolean loaded;
    @Option(names = "--months", defaultValue = "3", paramLabel = "N", description = "months shown (default ${DEFAULT-VALUE})")
    int months;

    private final CommandContext context;

    public StatusCommand(CommandContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        LocalDate day = CommandContext.date("--partition", partition);
        if (day != null) {
            return context.withStateOnly(jobFile.path, false, DebugFlag.on(spec), ctx -> new WarehouseCommands(ctx, context.environment(),
                    context.out(), context.err(), context.clock()).status(day, loaded));
        }
        if (loaded) {
            throw new InvalidJobException("--loaded needs --partition YYYY-MM-DD");
        }
        if (months < 1 || months > 120) {
            throw new InvalidJobException("--months must be 1-120");
        }
        return context.withStateOnly(jobFile.path, false, DebugFlag.on(spec), ctx -> {
            JobDefinition def = ctx.getBean(JobDefinition.class);
            List<PartitionRecord> records = ctx.getBean(PartitionLedger.class).list(def.name());
            LocalDate today = ctx.getBean(ExportService.class).today();
            StatusCalendar calendar = new StatusCalendar(records, def.export().firstDay(today), today);
            RequestBudget.Status budget = ctx.getBean(RequestBudget.class).status();
            PeopleExportService people = ctx.getBean(PeopleExportService.class);
            IdentityStatus identity = new IdentityStatus(records, ctx.getBean(IdentityLedger.class).list(def.name()));
            if (json) {
                java.util.Map<String, Object> tree = calendar.json(def.name(), budget);
                if (people.enabled()) {
                    tree.put("people", PeoplePrinter.json(people.status()));
                }
                tree.put("identity", identity.json());
                SummaryPrinter.printJson(tree, context.out());
            } else {
                // colours only on a terminal: piped or redirected, the letters carry the states alone
                context.out().print(calendar.render(months, System.console() != null));
                context.out().println(identity.line());
                context.out().println("State: " + CommandContext.stateStore(ctx));
                new SummaryPrinter(context.out()).status(def.name(), records, budget);
                if (people.enabled()) {
                    new PeoplePrinter(context.out()).status(people.status());
                }
            }
            return RunSummary.OK;
        });
    }
}
