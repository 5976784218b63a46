package io.mixpanelpipelines.schedule;

import java.util.List;

/** The jobs of the scheduler's folder, as loaded by {@link JobFolder}; registered by the command line. */
public record ScheduledJobs(List<ScheduledJob> jobs) {
}
