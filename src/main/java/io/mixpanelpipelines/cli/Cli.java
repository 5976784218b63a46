package io.mixpanelpipelines.cli;

import io.mixpanelpipelines.cli.command.CheckCommand;
import io.mixpanelpipelines.cli.command.CommandContext;
import io.mixpanelpipelines.cli.command.ExportCommand;
import io.mixpanelpipelines.cli.command.LoadCommand;
import io.mixpanelpipelines.cli.command.PlanCommand;
import io.mixpanelpipelines.cli.command.RerunCommand;
import io.mixpanelpipelines.cli.command.ScheduleCommand;
import io.mixpanelpipelines.cli.command.SimulateCommand;
import io.mixpanelpipelines.cli.command.StatusCommand;
import io.mixpanelpipelines.cli.command.WorkerCommand;
import io.mixpanelpipelines.config.InvalidJobException;
import io.mixpanelpipelines.job.RunSummary;
import io.mixpanelpipelines.source.MixpanelException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import io.mixpanelpipelines.state.StateStoreUnavailableException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The command line's root: {@code export}, {@code plan}, {@code status}, {@code rerun}, {@code load},
 * {@code schedule}, {@code simulate}, {@code check} and {@code worker} (one class each in {@code cli.command},
 * listed in {@link #COMMANDS}). Everything a run needs
 * from outside (environment, output streams, Spring properties, clock) is passed in, so tests drive the
 * real commands in-process.
 *
 * <p>Exit codes: 0 done; 1 some days failed (or a failure a retry may fix); 2 invalid usage (no command
 * included), job file, credentials or a refused request: anything a retry cannot fix, and a {@code check} that
 * failed; 75 work deferred, or
 * for {@code status --partition} not ready yet; 130/143 an export or rerun stopped by SIGINT/SIGTERM at a
 * checkpoint (128 + the signal's number, as a shell reports it; the same command finishes the work). A
 * failure prints one {@code error:} line on stderr; its stack trace only with {@code --debug}.
 */
@Command(name = "mixpanel-pipelines", mixinStandardHelpOptions = true, version = "mixpanel-pipelines 0.1.0",
        description = "Exports Mixpanel raw events to day-partitioned Parquet.")
public final class Cli implements Callable<Integer> {

    /**
     * The commands, by name. picocli reads every registered command's annotations when it starts (about a
     * tenth of a second of a cold JVM for all of them), so a run that names its command gets only that one.
     */
    static final Map<String, Function<CommandContext, Object>> COMMANDS = commands();

    private final CommandContext context;

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "log at debug level, and print the stack trace of an error after its one-line message")
    boolean debug;
    private CommandLine commandLine;

    public Cli(Map<String, String> environment, PrintStream out, PrintStream err, Map<String, Object> springProperties) {
        this(environment, out, err, springProperties, Clock.systemUTC());
    }

    /** With the clock that decides "today" and the request budget's hour (tests move it). */
    public Cli(Map<String, String> environment, PrintStream out, PrintStream err, Map<String, Object> springProperties,
            Clock clock) {
        this.context = new CommandContext(environment, out, err, springProperties, clock);
    }

    /** Runs one command and returns its exit code. */
    public int run(String... args) {
        CommandLine cl = new CommandLine(this);
        String named = commandNamed(args);
        for (Map.Entry<String, Function<CommandContext, Object>> command : COMMANDS.entrySet()) {
            if (named == null || named.equals(command.getKey())) {
                cl.addSubcommand(command.getKey(), command.getValue().apply(context));
            }
        }
        commandLine = cl;
        cl.setOut(new PrintWriter(context.out(), true));
        cl.setErr(new PrintWriter(context.err(), true));
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            Throwable t = rootCause(e);
            // one line that says what to fix; the trace is for whoever debugs the tool, not its user
            context.err().println("error: " + (t.getMessage() == null ? t.getClass().getName() : t.getMessage()));
            if (debug) {
                e.printStackTrace(context.err());
            }
            return t instanceof InvalidJobException || t instanceof MixpanelException m && !m.isRetryableLater()
                    ? RunSummary.INVALID : RunSummary.FAILED;
        });
        return cl.execute(args);
    }

    /** The command line of the last {@link #run} (for tests). */
    CommandLine commandLine() {
        return commandLine;
    }

    /** No command given: the usage, on stderr since it answers a mistake, and exit 2. */
    @Override
    public Integer call() {
        context.err().println("error: a command is required");
        commandLine.usage(context.err());
        return RunSummary.INVALID;
    }

    private static Map<String, Function<CommandContext, Object>> commands() {
        Map<String, Function<CommandContext, Object>> commands = new LinkedHashMap<>();
        commands.put("export", ExportCommand::new);
        commands.put("plan", PlanCommand::new);
        commands.put("status", StatusCommand::new);
        commands.put("rerun", RerunCommand::new);
        commands.put("simulate", context -> new SimulateCommand());
        commands.put("load", LoadCommand::new);
        commands.put("schedule", ScheduleCommand::new);
        commands.put("check", CheckCommand::new);
        commands.put("worker", WorkerCommand::new);
        return Collections.unmodifiableMap(commands);
    }

    /**
     * The command {@code args} name: the first argument, or the first after the root's {@code --debug}, when it
     * is a command's name; otherwise null, and every command is registered (no command, a misspelt one, the
     * root's help or version, an argument file: the root's usage then lists them all).
     */
    static String commandNamed(String... args) {
        for (String arg : args) {
            if (!arg.equals("--debug")) {
                return COMMANDS.containsKey(arg) ? arg : null;
            }
        }
        return null;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && !(t instanceof InvalidJobException) && !(t instanceof MixpanelException)
                && !(t instanceof StateStoreUnavailableException)) {
            t = t.getCause();
        }
        return t;
    }
}
