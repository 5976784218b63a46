package io.mixpanelpipelines.schedule;

import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.source.MixpanelCredentials;
import java.nio.file.Path;
import org.springframework.scheduling.support.CronExpression;

/**
 * A job of the scheduler's folder, validated and with its credentials resolved at start.
 *
 * @param file the job file, for messages
 * @param cron {@code export.schedule}, evaluated in the project timezone
 */
public record ScheduledJob(Path file, JobDefinition definition, MixpanelCredentials credentials, CronExpression cron) {

    public String name() {
        return definition.name();
    }

    /** The ShedLock lock that makes each scheduled run happen once across replicas. */
    public String lockName() {
        return "export-" + definition.name();
    }
}
