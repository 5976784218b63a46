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
 * root's help, an argument file) registers all of them, so the usage and picocli's suggestions still list
 * every command.
 */
class CliCommandsTests {

    static final String[] NAMES = {"export", "plan", "status", "rerun", "simulate", "load", "schedule", "check", "worker"};

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    Cli cli;

    private int run(String... args) {
        cli = new Cli(Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of());
        return cli.run(args);
    }

    @Test
    void theCommandNamedIsTheFirstArgumentOrTheFirstAfterDebug() {
        assertThat(Cli.commandNamed("export", "--job", "j.yaml")).isEqualTo("export");
        assertThat(Cli.commandNamed("--debug", "plan", "--job", "j.yaml")).isEqualTo("plan");
        assertThat(Cli.commandNamed("status", "--job", "export")).isEqualTo("status");
        assertThat(Cli.commandNamed()).isNull();
        assertThat(Cli.commandNamed("--help")).isNull();
        assertThat(Cli.commandNamed("--help", "plan")).isNull();
        assertThat(Cli.commandNamed("-hV", "plan")).isNull();
        assertThat(Cli.commandNamed("--bogus", "plan")).isNull();
        assertThat(Cli.commandNamed("@args.txt")).isNull();
        assertThat(Cli.commandNamed("exprot", "--job", "j.yaml")).isNull();
        assertThat(Cli.commandNamed("--", "export")).isNull();
    }

    @Test
    void everyCommandIsKeptUnderTheNameItsAnnotationGives() {
        CommandContext context = new CommandContext(Map.of(), System.out, System.err, Map.of(), Clock.systemUTC());
        assertThat(Cli.COMMANDS.keySet()).containsExactly(NAMES);
        Cli.COMMANDS.forEach((name, command) -> {
            assertThat(new CommandLine(command.apply(context)).getCommandName()).isEqualTo(name);
            assertThat(Cli.commandNamed(name, "--help")).isEqualTo(name);
        });
    }

    @Test
    void aRunThatNamesItsCommandRegistersOnlyThatOne() {
        assertThat(run("--debug", "plan", "--help")).isZero();
        assertThat(cli.commandLine().getSubcommands().keySet()).containsExactly("plan");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: mixpanel-pipelines plan");
    }

    @Test
    void theRootsHelpListsEveryCommandEvenWithACommandAfterIt() {
        for (String[] args : new String[][] {{"--help"}, {"--help", "plan"}, {"-h", "export"}}) {
            out.reset();
            assertThat(run(args)).as(String.join(" ", args)).isZero();
            String usage = out.toString(StandardCharsets.UTF_8);
            assertThat(usage).as(String.join(" ", args)).startsWith("Usage: mixpanel-pipelines [");
            for (String name : NAMES) {
                assertThat(usage).as(name).containsPattern("(?m)^\\s+" + name + "\\s");
            }
        }
    }

    @Test
    void aMisspeltCommandIsRefusedWithASuggestion() {
        assertThat(run("exprot", "--job", "j.yaml")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Unmatched arguments from index 0: 'exprot'")
                .contains("Did you mean: mixpanel-pipelines export?");
    }
}
