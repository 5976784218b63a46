package io.mixpanelpipelines.cli.command;

import io.mixpanelpipelines.schedule.JobFolder;
import io.mixpanelpipelines.schedule.ScheduledJobs;
import io.mixpanelpipelines.schedule.SchedulerLauncher;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code schedule}: the long-running service that runs every job of a folder on its schedule. */
@Command(name = "schedule", mixinStandardHelpOptions = true,
        description = "Run every job of a folder on its export.schedule until stopped (SIGTERM), with health probes "
                + "and /actuator/prometheus on server.port (8080).")
public final class ScheduleCommand implements Callable<Integer> {

    @Option(names = "--jobs", required = true, paramLabel = "DIR", description = "folder of job files (*.yaml, *.yml)")
    Path jobs;

    private final CommandContext context;

    public ScheduleCommand(CommandContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        return SchedulerLauncher.run(new ScheduledJobs(JobFolder.load(jobs, context.environment())),
                context.springProperties(), context.clock());
    }
}
