package io.mixpanelpipelines.cli.command;

import java.time.LocalDate;
import picocli.CommandLine.Option;

/** The {@code --from} and {@code --to} options of the commands that take a range of days. */
final class DayRangeOptions {
    @Option(names = "--from", paramLabel = "YYYY-MM-DD", description = "first day")
    String from;
    @Option(names = "--to", paramLabel = "YYYY-MM-DD", description = "last day")
    String to;

    LocalDate from() {
        return CommandContext.date("--from", from);
    }

    LocalDate to() {
        return CommandContext.date("--to", to);
    }
}
