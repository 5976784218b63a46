package io.mixpanelpipelines.schedule;

import io.mixpanelpipelines.config.InvalidJobException;
import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.config.JobDefinitionLoader;
import io.mixpanelpipelines.source.CredentialsResolver;
import io.mixpanelpipelines.source.MixpanelCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.springframework.scheduling.support.CronExpression;

/**
 * The scheduler's folder of job files ({@code *.yaml}, {@code *.yml}). Every file is validated, and its
 * credentials resolved, before anything is scheduled: problems are reported together, each with its file.
 */
public final class JobFolder {

    private JobFolder() {
    }

    /** @throws InvalidJobException naming every invalid file and why */
    public static List<ScheduledJob> load(Path dir, Map<String, String> environment) {
        if (!Files.isDirectory(dir)) {
            throw new InvalidJobException("--jobs " + dir + " is not a folder");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> Files.isRegularFile(p))
                    .filter(p -> p.getFileName().toString().endsWith(".yaml") || p.getFileName().toString().endsWith(".yml"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new InvalidJobException("cannot list job folder " + dir + ": " + e.getMessage());
        }
        if (files.isEmpty()) {
            throw new InvalidJobException("job folder " + dir + " holds no job file (*.yaml, *.yml)");
        }
        JobDefinitionLoader loader = new JobDefinitionLoader();
        List<String> problems = new ArrayList<>();
        List<ScheduledJob> jobs = new ArrayList<>();
        Map<String, Path> names = new HashMap<>();
        for (Path file : files) {
            try {
                JobDefinition job = loader.load(file);
                if (job.export().schedule() == null) {
                    throw new InvalidJobException("job file " + file + " has no export.schedule (a cron expression)");
                }
                if (job.simulator() != null) {
                    throw new InvalidJobException("job file " + file + " uses the built-in simulator, which only `export` starts");
                }
                Path other = names.putIfAbsent(job.name(), file);
                if (other != null) {
                    throw new InvalidJobException("job file " + file + " has the same name '" + job.name() + "' as " + other);
                }
                MixpanelCredentials credentials;
                try {
                    credentials = CredentialsResolver.resolve(job.mixpanel().auth(), environment);
                } catch (InvalidJobException e) {
                    throw new InvalidJobException("job file " + file + ": " + e.getMessage());
                }
                jobs.add(new ScheduledJob(file, job, credentials, CronExpression.parse(job.export().schedule())));
            } catch (InvalidJobException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidJobException(String.join("\n", problems));
        }
        return jobs;
    }
}
