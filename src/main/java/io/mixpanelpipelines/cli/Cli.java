package io.mixpanelpipelines.cli;

import io.mixpanelpipelines.cli.command.JobLockOption;
import io.mixpanelpipelines.cli.command.WarehouseCommands;
import io.mixpanelpipelines.config.InvalidJobException;
import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.config.JobDefinitionLoader;
import io.mixpanelpipelines.config.Secret;
import io.mixpanelpipelines.job.ExportService;
import io.mixpanelpipelines.job.RunSummary;
import io.mixpanelpipelines.simulator.MixpanelSimulator;
import io.mixpanelpipelines.source.CredentialsResolver;
import io.mixpanelpipelines.source.MixpanelCredentials;
import io.mixpanelpipelines.source.MixpanelException;
import io.mixpanelpipelines.state.PartitionLedger;
import io.mixpanelpipelines.state.jdbc.JdbcRequestBudget;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The command line: {@code export}, {@code status}, {@code rerun} and {@code simulate}. Everything a run
 * needs from outside (environment, output streams, Spring properties) is passed in, so tests drive the
 * real commands in-process. Exit codes: 0 done, 1 some days failed, 2 invalid usage, configuration or
 * credentials, 75 work deferred.
 */
@Command(name = "mixpanel-pipelines", mixinStandardHelpOptions = true, version = "mixpanel-pipelines 0.1.0",
        description = "Exports Mixpanel raw events to day-partitioned Parquet.",
        subcommands = {Cli.Export.class, Cli.Plan.class, Cli.Status.class, Cli.Rerun.class, Cli.Simulate.class,
                Cli.Load.class, Cli.Schedule.class})
public final class Cli implements Callable<Integer> {

    private final Map<String, String> environment;
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, Object> springProperties;
    private final Clock clock;

    public Cli(Map<String, String> environment, PrintStream out, PrintStream err, Map<String, Object> springProperties) {
        this(environment, out, err, springProperties, Clock.systemUTC());
    }

    /** With the clock that decides "today" and the request budget's hour (tests move it). */
    public Cli(Map<String, String> environment, PrintStream out, PrintStream err, Map<String, Object> springProperties,
            Clock clock) {
        this.environment = environment;
        this.out = out;
        this.err = err;
        this.springProperties = springProperties;
        this.clock = clock;
    }

    /** Runs one command and returns its exit code. */
    public int run(String... args) {
        CommandLine cl = new CommandLine(this, new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                if (cls.getEnclosingClass() == Cli.class && !java.lang.reflect.Modifier.isStatic(cls.getModifiers())) {
                    return cls.cast(cls.getDeclaredConstructor(Cli.class).newInstance(Cli.this));
                }
                return CommandLine.defaultFactory().create(cls);
            }
        });
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            Throwable t = rootCause(e);
            if (t instanceof InvalidJobException || t instanceof MixpanelException m && !m.isRetryableLater()) {
                err.println("error: " + t.getMessage());
                return RunSummary.INVALID;
            }
            err.println("error: " + (t.getMessage() == null ? t.getClass().getName() : t.getMessage()));
            return RunSummary.FAILED;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(out);
        return RunSummary.INVALID;
    }

    /** Loads the job, resolves credentials (starting the built-in simulator for a demo job) and runs {@code action}. */
    int withApplication(Path jobFile, Function<ConfigurableApplicationContext, Integer> action) {
        JobDefinition job = new JobDefinitionLoader().load(jobFile);
        MixpanelSimulator simulator = null;
        try {
            MixpanelCredentials credentials;
            if (job.simulator() != null) {
                credentials = job.mixpanel().auth() != null
                        ? CredentialsResolver.resolve(job.mixpanel().auth(), environment)
                        : new MixpanelCredentials(Secret.of("demo-" + UUID.randomUUID()), Secret.of(UUID.randomUUID().toString()),
                                true, "service account of the built-in simulator");
                MixpanelSimulator.Builder b = MixpanelSimulator.builder()
                        .eventsPerDay(job.simulator().eventsPerDay())
                        .seed(job.simulator().seed())
                        .projectId(job.mixpanel().projectId())
                        .timezone(job.mixpanel().timezone());
                if (credentials.serviceAccount()) {
                    b.serviceAccount(credentials.username().reveal(), credentials.password().reveal());
                } else {
                    b.projectSecret(credentials.username().reveal());
                }
                simulator = b.build().start(0);
                job = job.withApiUrl(simulator.baseUri());
                err.println("using the built-in Mixpanel simulator at " + simulator.baseUri());
            } else {
                credentials = CredentialsResolver.resolve(job.mixpanel().auth(), environment);
            }
            JobDefinition definition = job;
            Map<String, Object> props = new HashMap<>(springProperties);
            try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(PipelinesApplication.class)
                    .initializers(c -> {
                        // given by the caller (tests, tools): above application.properties and the environment
                        c.getEnvironment().getPropertySources().addFirst(new MapPropertySource("cli", props));
                        c.getBeanFactory().registerSingleton("jobDefinition", definition);
                        c.getBeanFactory().registerSingleton("mixpanelCredentials", credentials);
                        c.getBeanFactory().registerSingleton("clock", clock);
                    })
                    .run()) {
                return action.apply(ctx);
            }
        } finally {
            if (simulator != null) {
                simulator.close();
            }
        }
    }

    static LocalDate date(String option, String value) {
        if (value == null) {
            return null;
        }
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw new InvalidJobException(option + " '" + value + "' is not a date YYYY-MM-DD");
        }
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && !(t instanceof InvalidJobException) && !(t instanceof MixpanelException)) {
            t = t.getCause();
        }
        return t;
    }

    int report(ConfigurableApplicationContext ctx, RunSummary summary, Path summaryJson) {
        new SummaryPrinter(out).print(summary, ctx.getBean(io.mixpanelpipelines.job.ExportContext.class));
        if (summaryJson != null) {
            SummaryPrinter.writeJson(summary, summaryJson);
        }
        return summary.exitCode();
    }

    /**
     * Prints what a rerun will do and the requests it will cost; on a terminal, asks before going on
     * unless {@code --yes}. Off a terminal (scripts, Kubernetes jobs) it goes on.
     */
    boolean confirmRerun(ExportService service, List<LocalDate> days, boolean yes) {
        int cost = service.planRerun(days).size();
        io.mixpanelpipelines.source.RequestBudget.Status budget = service.budget();
        out.printf("rerun: %d day(s) %s will be fetched afresh and replaced; about %d export request(s), %d of %d left this hour%s%n",
                days.size(), io.mixpanelpipelines.job.plan.DayRanges.format(days), cost, budget.remaining(), budget.perHour(),
                cost > budget.remaining() ? " (the rest is deferred to a later run)" : "");
        java.io.Console console = System.console();
        if (yes || console == null) {
            return true;
        }
        String answer = console.readLine("Go on? [y/N] ");
        return answer != null && (answer.strip().equalsIgnoreCase("y") || answer.strip().equalsIgnoreCase("yes"));
    }

    /** The {@code --from} and {@code --to} options of the commands that take a range of days. */
    static final class DayRange {
        @Option(names = "--from", paramLabel = "YYYY-MM-DD", description = "first day")
        String from;
        @Option(names = "--to", paramLabel = "YYYY-MM-DD", description = "last day")
        String to;

        LocalDate from() {
            return date("--from", from);
        }

        LocalDate to() {
            return date("--to", to);
        }
    }

    /** The {@code --summary-json FILE} option of the commands that report a run. */
    static final class SummaryJson {
        @Option(names = "--summary-json", paramLabel = "FILE", description = "write a machine-readable summary to this file")
        Path path;
    }

    /** The {@code --job FILE} option every job command takes. */
    static final class JobFile {
        @Option(names = "--job", required = true, paramLabel = "FILE", description = "the job file (YAML)")
        Path path;
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Export a range (its published days are not requested again) or, with no range, what the "
                    + "project needs: reruns, new days with the late-data lookback, then the backfill, within the budget.")
    final class Export implements Callable<Integer> {
        @Mixin
        JobFile jobFile;
        @Mixin
        DayRange range;
        @Mixin
        SummaryJson summaryJson;
        @Option(names = "--no-load", description = "do not load the published days into the job's warehouse")
        boolean noLoad;
        @Mixin
        JobLockOption lock;

        @Override
        public Integer call() {
            LocalDate f = range.from();
            LocalDate t = range.to();
            return withApplication(jobFile.path, ctx -> lock.hold(ctx, err, () -> {
                RunSummary summary = ctx.getBean(ExportService.class).export(f, t);
                int code = report(ctx, summary, summaryJson.path);
                if (noLoad || ctx.getBean(JobDefinition.class).warehouse() == null || code == RunSummary.INVALID) {
                    return code;
                }
                int load = new WarehouseCommands(ctx, environment, out, err, clock).loadAfterExport(summary);
                // a failed load is a failure to retry, but never hides a deferral or a failed day
                return code == RunSummary.OK ? load : code;
            }));
        }
    }

    @Command(name = "load", mixinStandardHelpOptions = true,
            description = "Load published days into the job's warehouse: days never loaded and days replaced since their last load.")
    final class Load implements Callable<Integer> {
        @Mixin
        JobFile jobFile;
        @Mixin
        DayRange range;
        @Mixin
        SummaryJson summaryJson;
        @Mixin
        JobLockOption lock;

        @Override
        public Integer call() {
            LocalDate f = range.from();
            LocalDate t = range.to();
            return withApplication(jobFile.path, ctx -> lock.hold(ctx, err, () -> new WarehouseCommands(ctx, environment, out,
                    err, clock).load(f, t, null, summaryJson.path)));
        }
    }

    @Command(name = "plan", mixinStandardHelpOptions = true,
            description = "Print the requests an export with these arguments would make and what they cost; spends none.")
    final class Plan implements Callable<Integer> {
        @Mixin
        JobFile jobFile;
        @Mixin
        DayRange range;

        @Override
        public Integer call() {
            LocalDate f = range.from();
            LocalDate t = range.to();
            return withApplication(jobFile.path, ctx -> {
                ExportService service = ctx.getBean(ExportService.class);
                new SummaryPrinter(out).plan(service.plan(f, t), service.budget(), service::isFetched);
                return RunSummary.OK;
            });
        }
    }

    @Command(name = "rerun", mixinStandardHelpOptions = true,
            description = "Export days again and replace them.")
    final class Rerun implements Callable<Integer> {
        @Mixin
        JobFile jobFile;
        @Option(names = "--partition", arity = "1..*", paramLabel = "YYYY-MM-DD", description = "days to export again, YYYY-MM-DD")
        List<String> partitions;
        @Option(names = "--failed", description = "every day whose last attempt failed")
        boolean failed;
        @Mixin
        SummaryJson summaryJson;
        @Option(names = "--yes", description = "do not ask for confirmation on a terminal")
        boolean yes;
        @Mixin
        JobLockOption lock;

        @Override
        public Integer call() {
            if ((partitions == null || partitions.isEmpty()) == !failed) {
                throw new InvalidJobException("rerun needs either --partition YYYY-MM-DD ... or --failed");
            }
            List<LocalDate> days = partitions == null ? null : partitions.stream().map(p -> date("--partition", p)).toList();
            return withApplication(jobFile.path, ctx -> lock.hold(ctx, err, () -> {
                ExportService service = ctx.getBean(ExportService.class);
                List<LocalDate> which = days != null ? days : service.failedDays();
                if (which.isEmpty()) {
                    out.println("no failed days to rerun");
                    return RunSummary.OK;
                }
                if (!confirmRerun(service, which, yes)) {
                    out.println("rerun cancelled: nothing was changed");
                    return RunSummary.OK;
                }
                return report(ctx, service.rerun(which), summaryJson.path);
            }));
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show the job's days as a month calendar by state, its partitions and the budget left this hour.")
    final class Status implements Callable<Integer> {
        @Mixin
        JobFile jobFile;
        @Option(names = "--partition", paramLabel = "YYYY-MM-DD",
                description = "one day's state (an Airflow sensor: exit 0 when published, 75 when not yet)")
        String partition;
        @Option(names = "--json", description = "as JSON: the day (with --partition), or every day by state, the missing "
                + "days and the budget")
        boolean json;
        @Option(names = "--loaded", description = "with --partition: exit 0 only when the day is also loaded into the warehouse")
        boolean loaded;
        @Option(names = "--months", defaultValue = "3", paramLabel = "N", description = "months shown (default ${DEFAULT-VALUE})")
        int months;

        @Override
        public Integer call() {
            LocalDate day = date("--partition", partition);
            if (day != null) {
                return withApplication(jobFile.path, ctx -> new WarehouseCommands(ctx, environment, out, err, clock)
                        .status(day, loaded));
            }
            if (loaded) {
                throw new InvalidJobException("--loaded needs --partition YYYY-MM-DD");
            }
            if (months < 1 || months > 120) {
                throw new InvalidJobException("--months must be 1-120");
            }
            return withApplication(jobFile.path, ctx -> {
                JobDefinition def = ctx.getBean(JobDefinition.class);
                List<io.mixpanelpipelines.state.PartitionRecord> records = ctx.getBean(PartitionLedger.class).list(def.name());
                LocalDate today = ctx.getBean(ExportService.class).today();
                StatusCalendar calendar = new StatusCalendar(records, def.export().firstDay(today), today);
                io.mixpanelpipelines.source.RequestBudget.Status budget = ctx.getBean(JdbcRequestBudget.class).status();
                if (json) {
                    SummaryPrinter.printJson(calendar.json(def.name(), budget), out);
                } else {
                    // colours only on a terminal: piped or redirected, the letters carry the states alone
                    out.print(calendar.render(months, System.console() != null));
                    new SummaryPrinter(out).status(def.name(), records, budget);
                }
                return RunSummary.OK;
            });
        }
    }

    @Command(name = "simulate", mixinStandardHelpOptions = true,
            description = "Run the built-in Mixpanel export simulator in the foreground.")
    final class Simulate implements Callable<Integer> {
        @Option(names = "--port", required = true, description = "port on 127.0.0.1 (0: any free port)")
        int port;
        @Option(names = "--events-per-day", defaultValue = "1000", description = "events served per day (default ${DEFAULT-VALUE})")
        long eventsPerDay;
        @Option(names = "--seed", defaultValue = "1", description = "seed of the generated events (default ${DEFAULT-VALUE})")
        long seed;
        @Option(names = "--project-secret", description = "accept this project secret")
        String projectSecret;
        @Option(names = "--service-account", description = "accept this service account, USER:SECRET")
        String serviceAccount;

        @Override
        public Integer call() throws InterruptedException {
            if (projectSecret == null && serviceAccount == null) {
                throw new InvalidJobException("simulate needs --project-secret S or --service-account USER:SECRET");
            }
            if (serviceAccount != null && !serviceAccount.contains(":")) {
                throw new InvalidJobException("--service-account must be USER:SECRET");
            }
            MixpanelSimulator.runForeground(port, eventsPerDay, seed, projectSecret, serviceAccount);
            return RunSummary.OK;
        }
    }

    @Command(name = "schedule", mixinStandardHelpOptions = true,
            description = "Run every job of a folder on its export.schedule until stopped (SIGTERM), with health probes "
                    + "and /actuator/prometheus on server.port (8080).")
    final class Schedule implements Callable<Integer> {
        @Option(names = "--jobs", required = true, paramLabel = "DIR", description = "folder of job files (*.yaml, *.yml)")
        Path jobs;

        @Override
        public Integer call() {
            return io.mixpanelpipelines.schedule.SchedulerLauncher.run(
                    new io.mixpanelpipelines.schedule.ScheduledJobs(io.mixpanelpipelines.schedule.JobFolder.load(jobs, environment)),
                    springProperties, clock);
        }
    }
}
