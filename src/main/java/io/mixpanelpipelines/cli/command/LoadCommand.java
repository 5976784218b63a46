package io.mixpanelpipelines.cli.command;

import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code load}: loads published days into the job's warehouse; see {@link WarehouseCommands#load}. */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = "Load published days into the job's warehouse: days never loaded and days replaced since their last load.")
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

    private final CommandContext context;

    public LoadCommand(CommandContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        LocalDate f = range.from();
        LocalDate t = range.to();
        return context.withStateOnly(jobFile.path, true, DebugFlag.on(spec), ctx -> lock.hold(ctx, context.err(),
                () -> new WarehouseCommands(ctx, context.environment(), context.out(), context.err(), context.clock())
                        .load(f, t, null, summaryJson.path)));
    }
}
