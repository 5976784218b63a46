package io.mixpanelpipelines.cli.command;

import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code load}: loads published days into the job's warehouse; see {@link WarehouseCommands#load}. */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = "Load published days into the job's warehouse: days never loaded and days replaced since their last load;"
                + " then the latest complete people snapshot, group profiles and identity mappings where the destination has them.")
public final class LoadCommand implements Callable<Integer> {

    @Mixin
    JobFileOption jobFile = new JobFileOption();
    @Spec
    CommandSpec spec;
    @Mixin
    DayRangeOptions range = new DayRangeOptions();
    @Mixin
    SummaryJsonOption summaryJson = new SummaryJsonOption();
    @Mixin
    JobLockOption lock = new JobLockOption();
    @Option(names = "--only", split = ",", paramLabel = "DATASET",
            description = "load only these datasets: events, people, identity (default: all that exist)")
    List<LoadDataset> only;
    @Option(names = "--json", description = "print the summary as JSON (the --summary-json document) instead of text")
    boolean json;

    private final CommandContext context;

    public LoadCommand(CommandContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        LocalDate f = range.from();
        LocalDate t = range.to();
        EnumSet<LoadDataset> datasets = only == null || only.isEmpty() ? null : EnumSet.copyOf(only);
        return context.withStateOnly(jobFile.path, true, DebugFlag.on(spec), ctx -> lock.hold(ctx, context.err(),
                () -> new WarehouseCommands(ctx, context.environment(), context.out(), context.err(), context.clock())
                        .json(json).load(f, t, null, summaryJson.path, datasets)));
    }
}
