package io.mixpanelpipelines.job;

import io.mixpanelpipelines.config.InvalidJobException;
import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.config.StateStoreLocation;
import io.mixpanelpipelines.job.remote.AbandonedPartitions;
import io.mixpanelpipelines.job.remote.PartitionRequestQueue;
import io.mixpanelpipelines.state.WorkerRegistry;
import io.mixpanelpipelines.state.jdbc.JdbcWorkerRegistry;
import java.time.Duration;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.core.env.Environment;

/**
 * What the manager and the workers of {@code export.workers: remote} share: the queue of partition
 * requests in the state database, the registry of workers and the manager's watch for partitions whose
 * worker died. Lazy: a run with local workers never creates them. The step builders that use them are in
 * {@link ExportJobConfiguration}; the worker process's own beans in {@link RemoteWorkerConfiguration}.
 */
@Configuration(proxyBeanMethods = false)
public class RemotePartitioning {

    private static final Logger log = LoggerFactory.getLogger(RemotePartitioning.class);

    /** How long the manager's step waits between two looks at its partitions in the job repository. */
    static final long POLL_INTERVAL_MS = 1000;
    /** Heartbeats a worker may miss before its running partitions are given to another worker. */
    static final int MISSED_BEATS = 3;

    @Bean
    public WorkerRegistry workerRegistry(DataSource dataSource) {
        return new JdbcWorkerRegistry(dataSource);
    }

    /**
     * The job's partition request queue. Remote workers need a state database that every machine reaches:
     * the embedded H2 file is refused here, before anything is sent.
     */
    @Bean
    @Lazy
    public PartitionRequestQueue partitionRequestQueue(DataSource dataSource, JobDefinition job, Environment env) {
        String url = env.getProperty(StateStoreLocation.URL_PROPERTY, "");
        boolean postgres = url.startsWith("jdbc:postgresql:");
        if (!postgres) {
            throw new InvalidJobException("export.workers: remote needs a state database that the manager and every worker "
                    + "reach: PostgreSQL (SPRING_DATASOURCE_URL=jdbc:postgresql://...); the state store is "
                    + StateStoreLocation.describe(url));
        }
        return new PartitionRequestQueue(dataSource, job.name());
    }

    /** Before the manager step sends its requests: drops those a dead manager left queued. */
    static StepExecutionListener discardStaleRequests(PartitionRequestQueue queue) {
        return new StepExecutionListener() {
            @Override
            public void beforeStep(StepExecution stepExecution) {
                int stale = queue.discardWaiting();
                if (stale > 0) {
                    log.warn("dropped {} partition request(s) that an earlier manager left queued", stale);
                }
            }
        };
    }

    @Bean
    @Lazy
    public AbandonedPartitions abandonedPartitions(WorkerRegistry registry, JobRepository jobRepository, JobDefinition job) {
        Duration beat = job.export().workerHeartbeat();
        return new AbandonedPartitions(registry, jobRepository, beat, beat.multipliedBy(MISSED_BEATS));
    }
}
