package io.mixpanelpipelines.cli.command;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --job FILE} option every job command takes. */
final class JobFileOption {
    @Option(names = "--job", required = true, paramLabel = "FILE", description = "the job file (YAML)")
    Path path;
}
