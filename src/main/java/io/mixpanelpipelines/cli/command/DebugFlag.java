package io.mixpanelpipelines.cli.command;

import picocli.CommandLine.Model.CommandSpec;

/**
 * Whether the command line carries {@code --debug} (an option of the root command that every command
 * inherits): then a job command logs at debug level and a failed day's stack trace is printed.
 */
final class DebugFlag {

    private DebugFlag() {
    }

    /** @param spec the running command's, as picocli injects it ({@code @Spec}) */
    static boolean on(CommandSpec spec) {
        // after the command's name it is the command's own match; before it, the root's
        return spec.commandLine().getParseResult().hasMatchedOption("--debug")
                || spec.root().commandLine().getParseResult().hasMatchedOption("--debug");
    }
}
