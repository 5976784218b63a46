package io.mixpanelpipelines.cli.command;

import io.mixpanelpipelines.config.InvalidJobException;
import io.mixpanelpipelines.job.RunSummary;
import io.mixpanelpipelines.simulator.MixpanelSimulator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code simulate}: the built-in Mixpanel simulator (raw export and engage query) for one project
 * ({@code --project-id}) in the foreground; prints its base URI on stdout, and on stderr which project id and
 * {@code mixpanel.apiUrl} a job file needs.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Run the built-in Mixpanel export simulator in the foreground.")
public final class SimulateCommand implements Callable<Integer> {

    @Option(names = "--port", required = true, description = "port on 127.0.0.1 (0: any free port)")
    int port;
    @Option(names = "--events-per-day", defaultValue = "1000", description = "events served per day (default ${DEFAULT-VALUE})")
    long eventsPerDay;
    @Option(names = "--seed", defaultValue = "1", description = "seed of the generated events (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--profiles", defaultValue = "0", description = "user profiles served by the engage query (default ${DEFAULT-VALUE})")
    int profiles;
    @Option(names = "--query-limit", defaultValue = "60",
            description = "engage (Query API) requests per rolling hour before 429; 0: unlimited (default ${DEFAULT-VALUE})")
    int queryLimit;
    @Option(names = "--session-expiry", defaultValue = "10m",
            description = "how long an engage session_id lives after its page 0 (default ${DEFAULT-VALUE})")
    String sessionExpiry;
    @Option(names = "--project-id", defaultValue = "123456",
            description = "the only project id served; the job file's mixpanel.projectId (default ${DEFAULT-VALUE})")
    String projectId;
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
        if (!projectId.matches("[0-9]{1,20}")) {
            throw new InvalidJobException("--project-id '" + projectId + "' must be a numeric project id");
        }
        java.time.Duration expiry;
        try {
            expiry = org.springframework.boot.convert.DurationStyle.detectAndParse(sessionExpiry);
        } catch (IllegalArgumentException e) {
            throw new InvalidJobException("--session-expiry '" + sessionExpiry + "' is not a duration such as 90s or 10m");
        }
        if (profiles < 0 || queryLimit < 0 || expiry.isNegative() || expiry.isZero()) {
            throw new InvalidJobException("--profiles and --query-limit must not be negative, --session-expiry must be positive");
        }
        MixpanelSimulator.runForeground(port, MixpanelSimulator.builder().projectId(projectId).eventsPerDay(eventsPerDay).seed(seed)
                .profiles(profiles).queryLimit(queryLimit).sessionExpiry(expiry), projectSecret, serviceAccount);
        return RunSummary.OK;
    }
}
