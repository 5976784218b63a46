package io.mixpanelpipelines.schedule;

import io.micrometer.core.instrument.MeterRegistry;
import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.job.day.CheckpointInterval;
import io.mixpanelpipelines.state.jdbc.JdbcPartitionLedger;
import io.mixpanelpipelines.state.jdbc.JdbcRequestBudget;
import io.mixpanelpipelines.source.Sleeper;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import javax.sql.DataSource;
import net.javacrumbs.shedlock.core.DefaultLockingTaskExecutor;
import net.javacrumbs.shedlock.core.LockingTaskExecutor;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import net.javacrumbs.shedlock.support.KeepAliveLockProvider;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The {@code schedule} service: the state database (Flyway-migrated once here), Actuator with its health
 * probes and Prometheus endpoint, ShedLock on the state database, and the {@link ExportScheduler}. Each run
 * builds its own export context as a child of this one ({@link ExportRunner}); Spring Batch lives there only.
 * Started with the {@code schedule} profile ({@code application-schedule.properties}); the jobs, the
 * clock and the environment are registered by the command line.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration(excludeName = {
        "org.springframework.boot.batch.autoconfigure.BatchAutoConfiguration",
        "org.springframework.boot.batch.autoconfigure.BatchJobLauncherAutoConfiguration",
        "org.springframework.boot.batch.jdbc.autoconfigure.BatchJdbcAutoConfiguration"})
@EnableConfigurationProperties(SchedulerProperties.class)
public class SchedulerApplication {

    /**
     * The runs' checkpoint interval, read at start so that a bad {@code pipelines.export.checkpoint-bytes} is
     * refused there (one error line, exit 2), as the job files are, and not by each run; each run's context
     * reads it again under the same name.
     */
    @Bean
    public CheckpointInterval checkpointInterval(Environment env) {
        return CheckpointInterval.configured(env);
    }

    @Bean(destroyMethod = "shutdownNow")
    public ScheduledExecutorService lockKeepAlive() {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "shedlock-keepalive");
            t.setDaemon(true);
            return t;
        });
    }

    @Bean
    public LockingTaskExecutor lockingTaskExecutor(DataSource dataSource, ScheduledExecutorService lockKeepAlive) {
        // database time: replicas with skewed clocks still agree on when a lock ends
        JdbcTemplateLockProvider jdbc = new JdbcTemplateLockProvider(JdbcTemplateLockProvider.Configuration.builder()
                .withJdbcTemplate(new JdbcTemplate(dataSource)).usingDbTime().build());
        return new DefaultLockingTaskExecutor(new KeepAliveLockProvider(jdbc, lockKeepAlive));
    }

    @Bean
    public ExportRunner exportRunner(ApplicationContext context) {
        return new ExportRunner(context);
    }

    @Bean(destroyMethod = "destroy")
    public ExportScheduler exportScheduler(ScheduledJobs scheduledJobs, ExportRunner exportRunner,
            LockingTaskExecutor lockingTaskExecutor, MeterRegistry registry, DataSource dataSource,
            SchedulerProperties properties, Clock clock) {
        JdbcPartitionLedger ledger = new JdbcPartitionLedger(dataSource);
        Map<String, ExportMetrics> metrics = new LinkedHashMap<>();
        for (ScheduledJob job : scheduledJobs.jobs()) {
            JobDefinition def = job.definition();
            // the budget's key and limits as ExportRunConfiguration builds them; only read here
            String projectKey = def.mixpanel().region().name().toLowerCase(Locale.ROOT) + ":" + def.mixpanel().projectId();
            JdbcRequestBudget budget = new JdbcRequestBudget(dataSource, projectKey, def.name(), "scheduler",
                    new JdbcRequestBudget.Limits(def.export().requestsPerHour(), def.export().requestsPerSecond(),
                            def.export().maxConcurrentRequests()), clock, Sleeper.SYSTEM);
            metrics.put(job.name(), new ExportMetrics(registry, def, ledger, budget::status, clock));
        }
        return new ExportScheduler(scheduledJobs.jobs(), exportRunner, lockingTaskExecutor, metrics,
                properties.lockAtMostFor(), clock);
    }
}
