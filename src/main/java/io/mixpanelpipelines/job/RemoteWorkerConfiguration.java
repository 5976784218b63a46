package io.mixpanelpipelines.job;

import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.job.remote.BoundedPollExecutor;
import io.mixpanelpipelines.job.remote.PartitionClaims;
import io.mixpanelpipelines.job.remote.PartitionRequestQueue;
import io.mixpanelpipelines.job.remote.WorkerHeartbeat;
import io.mixpanelpipelines.state.WorkerRegistry;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.integration.config.EnableIntegration;
import org.springframework.integration.scheduling.PollerMetadata;
import org.springframework.scheduling.support.PeriodicTrigger;

/**
 * A {@code worker} process (imported by its application only): Spring Integration, the worker's
 * registration and heartbeat, its claims, and the poller that takes partition requests from the queue,
 * {@code export.parallelism} at a time. With this configuration present, {@link ExportJobConfiguration}
 * builds the day step with Spring Batch's worker step builder, which connects the queue to it.
 */
@Configuration(proxyBeanMethods = false)
@EnableIntegration
public class RemoteWorkerConfiguration {

    /** The Spring property naming this worker (the {@code worker} command sets it). */
    public static final String WORKER_ID_PROPERTY = "pipelines.worker.id";
    /** How often an idle worker looks at the queue. */
    static final Duration POLL = Duration.ofMillis(500);

    /** What the worker step needs: where its requests come from and how it claims them. */
    public record Worker(String id, PartitionRequestQueue queue, PartitionClaims claims) {
    }

    @Bean(destroyMethod = "close")
    public WorkerHeartbeat workerHeartbeat(WorkerRegistry registry, JobDefinition job, Environment env) {
        String id = env.getProperty(WORKER_ID_PROPERTY);
        if (id == null || id.isBlank()) {
            throw new IllegalStateException(WORKER_ID_PROPERTY + " is not set");
        }
        return WorkerHeartbeat.start(registry, id, job.export().workerHeartbeat());
    }

    @Bean
    public Worker worker(WorkerHeartbeat heartbeat, PartitionRequestQueue queue, WorkerRegistry registry) {
        return new Worker(heartbeat.workerId(), queue, new PartitionClaims(registry, heartbeat.workerId()));
    }

    /**
     * The poller of the flow from the queue to the day step: one request per poll, each run on its own thread,
     * at most {@code export.parallelism} at once; a poll while every slot is busy is skipped, so requests stay
     * queued for other workers meanwhile. A poll does not wait for a request (the queue is a table: an empty
     * one is looked at again by the next poll).
     */
    @Bean(name = PollerMetadata.DEFAULT_POLLER)
    public PollerMetadata defaultPoller(JobDefinition job) {
        PollerMetadata poller = new PollerMetadata();
        poller.setTrigger(new PeriodicTrigger(POLL));
        poller.setMaxMessagesPerPoll(1);
        poller.setReceiveTimeout(0);
        poller.setTaskExecutor(new BoundedPollExecutor(job.export().parallelism(), "worker-day-"));
        return poller;
    }
}
