package io.mixpanelpipelines.cli.command;

import io.mixpanelpipelines.cli.output.SummaryPrinter;
import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.job.ExportService;
import io.mixpanelpipelines.job.RunSummary;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code export}: a range of days, or what the project needs; then loads the published days into the
 * job's warehouse unless {@code --no-load}. Exit code: the run's ({@link RunSummary#exitCode()}); a failed
 * load turns a successful run into 1 but never hides a deferral or a failed day.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a range (its published days are not requested again) or, with no range, what the "
                + "project needs: reruns, new days with the late-data lookback, then the backfill, within the budget.")
public final class ExportCommand implements Callable<Integer> {

    @Mixin
    JobFileOption jobFile = new JobFileOption();
    @Mixin
    DayRangeOptions range = new DayRangeOptions();
    @Mixin
    SummaryJsonOption summaryJson = new SummaryJsonOption();
    @Option(names = "--no-load", description = "do not load the published days into the job's warehouse")
    boolean noLoad;

    private final CommandContext context;

    public ExportCommand(CommandContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        LocalDate f = range.from();
        LocalDate t = range.to();
        return context.withApplication(jobFile.path, ctx -> {
            RunSummary summary = ctx.getBean(ExportService.class).export(f, t);
            int code = report(context, ctx, summary, summaryJson.path);
            if (noLoad || ctx.getBean(JobDefinition.class).warehouse() == null || code == RunSummary.INVALID) {
                return code;
            }
            int load = new WarehouseCommands(ctx, context.environment(), context.out(), context.err(), context.clock())
                    .loadAfterExport(summary);
            // a failed load is a failure to retry, but never hides a deferral or a failed day
            return code == RunSummary.OK ? load : code;
        });
    }

    /** Prints a run's summary (and writes its JSON when asked); returns its exit code. */
    static int report(CommandContext context, ConfigurableApplicationContext ctx, RunSummary summary, Path summaryJson) {
        new SummaryPrinter(context.out()).print(summary, ctx.getBean(io.mixpanelpipelines.job.ExportContext.class));
        if (summaryJson != null) {
            SummaryPrinter.writeJson(summary, summaryJson);
        }
        return summary.exitCode();
    }
}
