package io.mixpanelpipelines.cli.command;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --summary-json FILE} option of the commands that report a run. */
final class SummaryJsonOption {
    @Option(names = "--summary-json", paramLabel = "FILE", description = "write a machine-readable summary to this file")
    Path path;
}
