package io.mixpanelpipelines.cli.command;

import io.mixpanelpipelines.config.InvalidJobException;
import io.mixpanelpipelines.job.RunSummary;
import io.mixpanelpipelines.simulator.MixpanelSimulator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code simulate}: the built-in Mixpanel export simulator in the foreground; prints its base URI on stdout. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Run the built-in Mixpanel export simulator in the foreground.")
public final class SimulateCommand implements Callable<Integer> {

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
