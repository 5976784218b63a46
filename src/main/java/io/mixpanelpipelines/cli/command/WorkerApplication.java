package io.mixpanelpipelines.cli.command;

import io.mixpanelpipelines.job.RemoteWorkerConfiguration;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.context.annotation.Import;

/**
 * The Spring Boot application behind {@code worker}: everything {@link PipelinesApplication} has (the state
 * database, Spring Batch, the export job's steps and services) plus the worker's own beans, which connect
 * the day step to the partition request queue.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@Import({PipelinesApplication.class, RemoteWorkerConfiguration.class})
public class WorkerApplication {
}
