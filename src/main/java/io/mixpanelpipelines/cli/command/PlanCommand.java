package io.mixpanelpipelines.cli.command;

import io.mixpanelpipelines.cli.output.PeoplePrinter;
import io.mixpanelpipelines.cli.output.SummaryPrinter;
import io.mixpanelpipelines.people.PeopleExportService;
import io.mixpanelpipelines.cli.output.PlanPrinter;
import io.mixpanelpipelines.job.ExportService;
import io.mixpanelpipelines.job.day.DaySpools;
import io.mixpanelpipelines.job.RunSummary;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code plan}: the requests an export with the same arguments would make and their cost (a sliced day: one
 * per slice not spooled), as text or with {@code --json}; spends none.
 */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Print the requests an export with these arguments would make and what they cost; spends none.")
public final class PlanCommand implements Callable<Integer> {

    @Mixin
    JobFileOption jobFile = new JobFileOption();
    @Spec
    CommandSpec spec;
    @Mixin
    DayRangeOptions range = new DayRangeOptions();
    @Option(names = "--json", description = "as JSON: every request window with its cost, a sliced day's slices "
            + "(hours, instants, where) and the budget")
    boolean json;

    private final CommandContext context;

    public PlanCommand(CommandContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        LocalDate f = range.from();
        LocalDate t = range.to();
        return context.withStateOnly(jobFile.path, false, DebugFlag.on(spec), ctx -> {
            ExportService service = ctx.getBean(ExportService.class);
            DaySpools spools = ctx.getBean(DaySpools.class);
            PlanPrinter printer = new PlanPrinter(context.out(),
                    ctx.getBean(io.mixpanelpipelines.config.JobDefinition.class).mixpanel().timezone(), spools::isFetched,
                    spools::isSpooled);
            PeopleExportService people = ctx.getBean(PeopleExportService.class);
            if (json) {
                java.util.Map<String, Object> tree = printer.json(service.plan(f, t), service.budget());
                if (people.enabled()) {
                    tree.put("people", PeoplePrinter.json(people.status()));
                }
                SummaryPrinter.printJson(tree, context.out());
            } else {
                printer.text(service.plan(f, t), service.budget());
                if (people.enabled()) {
                    new PeoplePrinter(context.out()).status(people.status());
                }
            }
            return RunSummary.OK;
        });
    }
}
