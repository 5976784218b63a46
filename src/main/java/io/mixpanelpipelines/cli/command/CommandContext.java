package io.mixpanelpipelines.cli.command;

import io.mixpanelpipelines.config.InvalidJobException;
import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.config.JobDefinitionLoader;
import io.mixpanelpipelines.config.Secret;
import io.mixpanelpipelines.config.SecretSource;
import io.mixpanelpipelines.config.StateStoreLocation;
import io.mixpanelpipelines.simulator.MixpanelSimulator;
import io.mixpanelpipelines.source.CredentialsResolver;
import io.mixpanelpipelines.source.MixpanelCredentials;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * What every command gets from outside (environment, output streams, Spring properties, the clock) and
 * the one way a job command starts its application: load the job file, resolve what the command needs,
 * start Spring, run the action, close everything. Passed in whole so that tests drive the real commands
 * in-process.
 *
 * @param springProperties given by the caller (tests, tools): above application.properties and the environment
 * @param clock decides "today" and the request budget's hour (tests move it)
 */
public record CommandContext(Map<String, String> environment, PrintStream out, PrintStream err,
        Map<String, Object> springProperties, Clock clock) {

    private static final Logger log = LoggerFactory.getLogger(CommandContext.class);

    /** With {@code --debug}: the project's debug lines, and each failed day's stack trace (logged by Spring Batch). */
    private static final Map<String, Object> DEBUG_LOGGING = Map.of("logging.level.io.mixpanelpipelines", "DEBUG",
            "logging.level.org.springframework.batch.core.step.item.ChunkOrientedStep", "ERROR");

    private static final MixpanelCredentials NO_CREDENTIALS = new MixpanelCredentials(Secret.of(""), Secret.of(""), true,
            "none (this command sends no request to Mixpanel)");

    /**
     * For a command that requests Mixpanel ({@code export}, {@code rerun}): loads the job, resolves its
     * credentials before anything else (a missing variable or file fails here, before any request),
     * starting the built-in simulator for a demo job, and runs {@code action} in the started application.
     */
    public int withApplication(Path jobFile, boolean warehouse, boolean debug,
            Function<ConfigurableApplicationContext, Integer> action) {
        return withApplication(PipelinesApplication.class, Map.of(), jobFile, warehouse, debug, action);
    }

    /**
     * As {@link #withApplication(Path, boolean, boolean, Function)}, in the Spring application {@code application}
     * (the {@code worker}'s) with {@code defaults} below every other property source.
     */
    int withApplication(Class<?> application, Map<String, Object> defaults, Path jobFile, boolean warehouse, boolean debug,
            Function<ConfigurableApplicationContext, Integer> action) {
        JobDefinition job = new JobDefinitionLoader().load(jobFile);
        checkCredentials(job, true, warehouse);
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
                        .profiles((int) job.simulator().profiles())
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
            return inApplication(application, jobFile, job, credentials, debug, defaults, action);
        } finally {
            if (simulator != null) {
                simulator.close();
            }
        }
    }

    /**
     * For a command that never requests Mixpanel ({@code status}, {@code plan}, {@code load}): loads the
     * job and runs {@code action} without reading the credentials, so a sensor or a load task needs no
     * export secret. The application's Mixpanel client gets credentials that authenticate nothing.
     */
    public int withStateOnly(Path jobFile, boolean warehouse, boolean debug,
            Function<ConfigurableApplicationContext, Integer> action) {
        JobDefinition job = new JobDefinitionLoader().load(jobFile);
        checkCredentials(job, false, warehouse);
        CredentialsResolver.warnIfProjectSecret(job.mixpanel().auth());
        return inApplication(jobFile, job, NO_CREDENTIALS, debug, action);
    }

    /**
     * For {@code check}: loads nothing itself (the caller loaded {@code job}) and starts only the state
     * store's data source and Flyway, lazily and never migrating ({@link CheckApplication}), with the same
     * property sources as every other command.
     */
    public int withStateStore(Path jobFile, JobDefinition job, Function<ConfigurableApplicationContext, Integer> action) {
        return inApplication(CheckApplication.class, jobFile, job, NO_CREDENTIALS, false,
                Map.of("spring.main.lazy-initialization", "true"), action);
    }

    /** Every missing credential the command needs, reported at once before anything starts. */
    private void checkCredentials(JobDefinition job, boolean mixpanel, boolean warehouse) {
        SecretSource.resolveAll(environment, job.secretSources(mixpanel, warehouse).toArray(SecretSource[]::new));
    }

    /** The state store a command uses, for people: the H2 file, or the JDBC URL without credentials. */
    public static String stateStore(ConfigurableApplicationContext ctx) {
        return StateStoreLocation.describe(ctx.getEnvironment());
    }

    private int inApplication(Path jobFile, JobDefinition definition, MixpanelCredentials credentials, boolean debug,
            Function<ConfigurableApplicationContext, Integer> action) {
        return inApplication(PipelinesApplication.class, jobFile, definition, credentials, debug, Map.of(), action);
    }

    /** @param defaults below every other property source but the job file's state store */
    private int inApplication(Class<?> application, Path jobFile, JobDefinition definition, MixpanelCredentials credentials,
            boolean debug, Map<String, Object> defaults, Function<ConfigurableApplicationContext, Integer> action) {
        Map<String, Object> props = new HashMap<>(springProperties);
        Map<String, Object> defaultProperties = new HashMap<>(defaults);
        if (debug) {
            defaultProperties.putAll(DEBUG_LOGGING);
        }
        SpringApplicationBuilder builder = new SpringApplicationBuilder(application);
        var aheadOfTime = AheadOfTime.use(application);
        if (aheadOfTime != null) {
            // Spring looks the processed context up by the main class's name: the build processed this one
            builder.main(application).listeners(aheadOfTime);
        }
        try (ConfigurableApplicationContext ctx = builder
                // default properties, since logging is set up before the initializers run; any other source wins
                .properties(defaultProperties)
                .initializers(c -> {
                    c.getEnvironment().getPropertySources().addFirst(new MapPropertySource("cli", props));
                    // the job file's own state store (H2 in its folder), below every other source
                    c.getEnvironment().getPropertySources().addLast(new MapPropertySource("job-file-defaults",
                            StateStoreLocation.defaults(JobDefinitionLoader.folderOf(jobFile))));
                    c.getBeanFactory().registerSingleton("jobDefinition", definition);
                    c.getBeanFactory().registerSingleton("mixpanelCredentials", credentials);
                    c.getBeanFactory().registerSingleton("clock", clock);
                })
                .run()) {
            log.debug("Spring context {}", AheadOfTime.processed(ctx) ? "made by the build's ahead-of-time processing"
                    : "made from its configuration classes at start");
            return action.apply(ctx);
        }
    }

    /** Parses a {@code YYYY-MM-DD} option value; null stays null. */
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
}
