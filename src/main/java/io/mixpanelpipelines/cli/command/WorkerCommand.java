package io.mixpanelpipelines.cli.command;

import io.mixpanelpipelines.config.InvalidJobException;
import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.config.JobDefinitionLoader;
import io.mixpanelpipelines.job.RemoteWorkerConfiguration;
import io.mixpanelpipelines.job.remote.PartitionRequestQueue;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.boot.convert.DurationStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/**
 * {@code worker}: a long-running process of {@code export.workers: remote}. It takes the job's day partitions
 * from the queue in the state database (sent by {@code export}, the manager), {@code export.parallelism} at a
 * time, and runs each as the day step, on the same state database, request budget and shared spools as the
 * manager and the other workers. SIGTERM or SIGINT: it takes no new partition, lets those it runs finish (up
 * to {@code --stop-timeout}), deregisters and exits 0; a partition still running then, or a second signal
 * (exit 143), is given to another worker by the manager once this worker's heartbeat is old.
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = "Run a worker for export.workers: remote: convert the days that export (the manager) queues in "
                + "the state database, until SIGTERM.")
public final class WorkerCommand implements Callable<Integer> {

    @Mixin
    JobFileOption jobFile = new JobFileOption();
    @Spec
    CommandSpec spec;
    @Option(names = "--name", paramLabel = "NAME",
            description = "this worker's name in the state database (default: host name, process id and a random suffix)")
    String name;
    @Option(names = "--stop-timeout", paramLabel = "DURATION", defaultValue = "10m",
            description = "after SIGTERM, how long the running days may take to finish (default: ${DEFAULT-VALUE})")
    String stopTimeout;

    private final CommandContext context;

    public WorkerCommand(CommandContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        Duration grace;
        try {
            grace = DurationStyle.detectAndParse(stopTimeout);
        } catch (IllegalArgumentException e) {
            throw new InvalidJobException("--stop-timeout '" + stopTimeout + "' is not a duration such as 10m");
        }
        JobDefinition checked = new JobDefinitionLoader().load(jobFile.path);
        if (!checked.export().remoteWorkers()) {
            throw new InvalidJobException("job '" + checked.name() + "' has export.workers: local; a worker serves only "
                    + "a job with export.workers: remote");
        }
        String id = name != null ? name : defaultName();
        Map<String, Object> props = Map.of(RemoteWorkerConfiguration.WORKER_ID_PROPERTY, id);
        return context.withApplication(WorkerApplication.class, props, jobFile.path, false, DebugFlag.on(spec), ctx -> {
            JobDefinition job = ctx.getBean(JobDefinition.class);
            CountDownLatch stop = new CountDownLatch(1);
            String[] received = new String[1];
            List<Signal> signals = List.of(new Signal("TERM"), new Signal("INT"));
            for (Signal s : signals) {
                Signal.handle(s, sig -> {
                    if (stop.getCount() == 0) {
                        Runtime.getRuntime().halt(StopOnSignal.SIGTERM_EXIT);
                    }
                    received[0] = "SIG" + sig.getName();
                    stop.countDown();
                });
            }
            RemoteWorkerConfiguration.Worker worker = ctx.getBean(RemoteWorkerConfiguration.Worker.class);
            context.err().println("worker " + id + " of job '" + job.name() + "': waiting for partitions (state: "
                    + CommandContext.stateStore(ctx) + ")");
            try {
                stop.await();
                context.err().println(received[0] + ": worker " + id + " takes no new partition; waiting up to "
                        + grace.toSeconds() + " s for the " + worker.claims().running() + " running");
                ctx.getBean(PartitionRequestQueue.class).close();
                if (!worker.claims().awaitIdle(grace)) {
                    context.err().println("worker " + id + ": partitions still running after --stop-timeout; "
                            + "another worker takes them over");
                    return StopOnSignal.SIGTERM_EXIT;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return StopOnSignal.SIGTERM_EXIT;
            }
            context.err().println("worker " + id + " stopped");
            return 0;
        });
    }

    private static String defaultName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = System.getenv().getOrDefault("HOSTNAME", "worker");
        }
        return host + "-" + ProcessHandle.current().pid() + "-" + String.format("%04x", ThreadLocalRandom.current().nextInt(1 << 16));
    }
}
