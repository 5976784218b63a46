package io.mixpanelpipelines.cli.command;

import io.mixpanelpipelines.cli.output.PeoplePrinter;
import io.mixpanelpipelines.cli.output.SummaryPrinter;
import io.mixpanelpipelines.people.PeopleExportService;
import io.mixpanelpipelines.job.ExportService;
import io.mixpanelpipelines.job.RunSummary;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code plan}: the requests an export with the same arguments would make and their cost; spends none. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Print the requests an export with these arguments would make and what they cost; spends none.")
public final class PlanCommand implements Callable<Integer> {

    @Mixin
    JobFileOption jobFile = new JobFileOption();
    @Spec
    CommandSpec spec;
    @Mixin
    DayRangeOptions range = new DayRangeOptions();

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
            new SummaryPrinter(context.out()).plan(service.plan(f, t), service.budget(), service::isFetched);
            PeopleExportService people = ctx.getBean(PeopleExportService.class);
            if (people.enabled()) {
                new PeoplePrinter(context.out()).status(people.status());
            }
            return RunSummary.OK;
        });
    }
}
