package io.mixpanelpipelines.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.cli.command.CommandContext;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A run that names its command registers only that one; anything else (no command, a misspelt one, the
 * root's help) registers all of them, so the usage and picocli's suggestions still list every command.
 */
class CliCommandsTests {

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return new Cli(Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of()).run(args);
    }

    @Test
    void theCommandNamedIsTheFirstArgumentThatIsNoRootFlag() {
        assertThat(Cli.commandNamed("export", "--job", "j.yaml")).isEqualTo("export");
        assertThat(Cli.commandNamed("--debug", "plan", "--job", "j.yaml")).isEqualTo("plan");
        assertThat(Cli.commandNamed("status", "--job", "export")).isEqualTo("status");
        assertThat(Cli.commandNamed()).isNull();
        assertThat(Cli.commandNamed("--help")).isNull();
        assertThat(Cli.commandNamed("exprot", "--job", "j.yaml")).isNull();
        assertThat(Cli.commandNamed("--", "export")).isNull();
    }

    @Test
    void everyCommandIsKeptUnderTheNameItsAnnotationGives() {
        CommandContext context = new CommandContext(Map.of(), System.out, System.err, Map.of(), Clock.systemUTC());
        assertThat(Cli.COMMANDS).hasSize(9);
        Cli.COMMANDS.forEach((name, command) -> {
            assertThat(new CommandLine(command.apply(context)).getCommandName()).isEqualTo(name);
            assertThat(Cli.commandNamed(name, "--help")).isEqualTo(name);
        });
    }

    @Test
    void aCommandsHelpNamesItUnderTheRoot() {
        assertThat(run("plan", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: mixpanel-pipelines plan");
    }

    @Test
    void theRootsHelpListsEveryCommand() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("export", "plan", "status", "rerun", "simulate", "load", "schedule", "check", "worker");
    }

    @Test
    void aMisspeltCommandIsRefusedWithASuggestion() {
        assertThat(run("exprot", "--job", "j.yaml")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("exprot").contains("export");
    }
}
