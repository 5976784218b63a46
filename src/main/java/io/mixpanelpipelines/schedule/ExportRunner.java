package io.mixpanelpipelines.schedule;

import io.mixpanelpipelines.job.BatchConfiguration;
import io.mixpanelpipelines.job.ExportJobConfiguration;
import io.mixpanelpipelines.job.ExportRunConfiguration;
import io.mixpanelpipelines.job.ExportService;
import io.mixpanelpipelines.job.RemotePartitioning;
import io.mixpanelpipelines.job.PeopleRunConfiguration;
import io.mixpanelpipelines.people.PeopleExportService;
import io.mixpanelpipelines.people.PeopleRunSummary;
import io.mixpanelpipelines.job.RunSummary;
import io.mixpanelpipelines.state.JobLock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Runs a scheduled job once, through the same {@link ExportService#export} path as the {@code export}
 * command (then its people snapshot, when the job has a {@code people} section): each run gets a child context of the scheduler's (the export configuration is built per job
 * definition and per run), sharing its state database. Each run holds the job's {@link JobLock}, as the
 * command line's runs do. Thread-safe; a job is never run twice at once by one scheduler (its cron trigger
 * waits for the run to end).
 */
public final class ExportRunner {

    private static final Logger log = LoggerFactory.getLogger(ExportRunner.class);

    private final ApplicationContext parent;
    private final Map<String, AnnotationConfigApplicationContext> running = new ConcurrentHashMap<>();
    /** Jobs asked to stop while running: their people snapshot stops after the page in flight. */
    private final Set<String> stopAsked = ConcurrentHashMap.newKeySet();

    public ExportRunner(ApplicationContext parent) {
        this.parent = parent;
    }

    /**
     * Exports what the job needs now, like {@code export} without a range.
     *
     * @throws io.mixpanelpipelines.state.JobLockedException when another run of the job holds its lock
     */
    public RunSummary run(ScheduledJob job) {
        return run(job, people -> {
        });
    }

    /** As {@link #run(ScheduledJob)}, handing the people datasets' summary (when the job has them) to {@code onPeople}. */
    public RunSummary run(ScheduledJob job, Consumer<PeopleRunSummary> onPeople) {
        try (AnnotationConfigApplicationContext ctx = new AnnotationConfigApplicationContext()) {
            ctx.setParent(parent);
            ctx.setDisplayName("export " + job.name());
            var beans = ctx.getBeanFactory();
            beans.registerSingleton("jobDefinition", job.definition());
            beans.registerSingleton("mixpanelCredentials", job.credentials());
            // Spring Batch's default configuration looks these up in its own context only
            beans.registerSingleton("dataSource", parent.getBean(DataSource.class));
            beans.registerSingleton("transactionManager", parent.getBean(PlatformTransactionManager.class));
            ctx.register(BatchConfiguration.class, ExportJobConfiguration.class, ExportRunConfiguration.class,
                    RemotePartitioning.class,
                    PeopleRunConfiguration.class);
            ctx.refresh();
            // a command line run of the same job (or a replica's) holds the lock: JobLockedException, this time skipped
            try (JobLock.Held lock = ctx.getBean(JobLock.class).acquire(job.name(), Duration.ZERO)) {
                running.put(job.name(), ctx);
                try {
                    RunSummary summary = ctx.getBean(ExportService.class).export(null, null);
                    PeopleExportService people = ctx.getBean(PeopleExportService.class);
                    if (people.enabled()) {
                        // as the export command does: the people snapshot after the events, on its own budget
                        PeopleRunSummary ps = people.run(() -> stopAsked.contains(job.name()));
                        onPeople.accept(ps);
                        for (PeopleRunSummary.Dataset d : ps.datasets()) {
                            log.info("{}: {} {} ({} pages, {} profiles{})", job.name(), d.dataset(), d.state(), d.pages(),
                                    d.profiles(), d.message() == null ? "" : "; " + d.message());
                        }
                    }
                    return summary;
                } finally {
                    running.remove(job.name());
                    stopAsked.remove(job.name());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while taking the lock of job '" + job.name() + "'", e);
            }
        }
    }

    /** Whether a run of any job is going on. */
    public boolean isRunning() {
        return !running.isEmpty();
    }

    /**
     * Asks every running Spring Batch execution to stop: each day step ends at its next chunk commit with
     * its checkpoint saved, and the next run resumes from there; a people snapshot stops after its page in
     * flight. Safe to call repeatedly.
     */
    public void stopRunning() {
        running.forEach((name, ctx) -> {
            stopAsked.add(name);
            try {
                JobOperator operator = ctx.getBean(JobOperator.class);
                for (Long id : operator.getRunningExecutions(ctx.getBean(org.springframework.batch.core.job.Job.class).getName())) {
                    log.info("stopping the run of {} (execution {}) at its next checkpoint", name, id);
                    operator.stop(id);
                }
            } catch (Exception e) {
                // not started yet, or just finished: nothing to stop
                log.debug("no execution of {} to stop: {}", name, e.toString());
            }
        });
    }
}
