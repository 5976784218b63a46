package io.mixpanelpipelines.job;

import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.dataset.DatasetLayout;
import io.mixpanelpipelines.dataset.DayPublisher;
import io.mixpanelpipelines.job.day.DayCompletion;
import io.mixpanelpipelines.job.day.DaySpools;
import io.mixpanelpipelines.job.day.Progress;
import io.mixpanelpipelines.source.MixpanelCredentials;
import io.mixpanelpipelines.source.MixpanelExportClient;
import io.mixpanelpipelines.source.RequestBudget;
import io.mixpanelpipelines.source.SpoolStore;
import io.mixpanelpipelines.source.http.ClientSettings;
import io.mixpanelpipelines.source.http.HttpMixpanelExportClient;
import io.mixpanelpipelines.source.Sleeper;
import io.mixpanelpipelines.state.JobLock;
import io.mixpanelpipelines.state.StateStoreRetry;
import io.mixpanelpipelines.config.StateStoreLocation;
import io.mixpanelpipelines.state.LoadLedger;
import io.mixpanelpipelines.state.PartitionLedger;
import io.mixpanelpipelines.state.jdbc.JdbcJobLock;
import io.mixpanelpipelines.state.jdbc.JdbcLoadLedger;
import io.mixpanelpipelines.state.jdbc.JdbcPartitionLedger;
import io.mixpanelpipelines.state.jdbc.JdbcIdentityLedger;
import io.mixpanelpipelines.state.IdentityLedger;
import io.mixpanelpipelines.identity.IdentityLayout;
import io.mixpanelpipelines.identity.IdentityPublisher;
import io.mixpanelpipelines.job.day.IdentityMaintenance;
import io.mixpanelpipelines.job.day.ParquetSettings;
import io.mixpanelpipelines.state.jdbc.JdbcRequestBudget;
import io.mixpanelpipelines.storage.Storage;
import io.mixpanelpipelines.storage.support.StorageFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The services of one run, built from the job definition and the credentials that the command line
 * registers in the context before it starts. The only place (with the applications) that knows the state
 * store's JDBC implementations: everything else sees the contracts of {@code state} and {@code source}.
 * Every bean here is thread-safe and holds no day's state (that lives in each day step's execution).
 */
@Configuration(proxyBeanMethods = false)
public class ExportRunConfiguration {

    @Bean
    public String runId(ObjectProvider<Clock> clock) {
        ZonedDateTime now = ZonedDateTime.now(clock.getIfAvailable(Clock::systemUTC).withZone(ZoneOffset.UTC));
        return DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").format(now) + "-"
                + String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24));
    }

    @Bean
    public PartitionLedger partitionLedger(DataSource dataSource, ObjectProvider<Clock> clock) {
        return new JdbcPartitionLedger(dataSource, clock.getIfAvailable(Clock::systemUTC));
    }

    /**
     * The job lock: a lease of {@code pipelines.state.lock-lease} (2 minutes), renewed every sixth of it, so
     * a holder killed without releasing it blocks the next run for at most that long.
     */
    @Bean
    public JobLock jobLock(DataSource dataSource, Environment env) {
        Duration lease = DurationStyle.detectAndParse(env.getProperty("pipelines.state.lock-lease", "2m"));
        return new JdbcJobLock(dataSource, lease, lease.dividedBy(6));
    }

    @Bean
    public IdentityLedger identityLedger(DataSource dataSource) {
        return new JdbcIdentityLedger(dataSource);
    }

    @Bean
    public LoadLedger loadLedger(DataSource dataSource) {
        return new JdbcLoadLedger(dataSource);
    }

    @Bean
    public RequestBudget requestBudget(DataSource dataSource, JobDefinition job, String runId,
            ObjectProvider<Clock> clock, ObjectProvider<Sleeper> sleeper, StateStoreRetry stateStoreRetry) {
        // the budget is Mixpanel's: per region and project, whichever job or process spends it
        String projectKey = job.mixpanel().region().name().toLowerCase(java.util.Locale.ROOT) + ":" + job.mixpanel().projectId();
        JobDefinition.Export e = job.export();
        return new JdbcRequestBudget(dataSource, projectKey, job.name(), runId,
                new JdbcRequestBudget.Limits(e.requestsPerHour(), e.requestsPerSecond(), e.maxConcurrentRequests()),
                clock.getIfAvailable(Clock::systemUTC), sleeper.getIfAvailable(() -> Sleeper.SYSTEM), stateStoreRetry);
    }

    @Bean
    public MixpanelExportClient mixpanelExportClient(JobDefinition job, MixpanelCredentials credentials,
            RequestBudget requestLog, ObjectProvider<Sleeper> sleeper) {
        JobDefinition.Export e = job.export();
        ClientSettings settings = new ClientSettings(job.mixpanel().apiUrl(), job.mixpanel().projectId(),
                e.connectTimeout(), e.readTimeout(), e.maxAttempts(), e.initialBackoff(), e.maxBackoff(),
                ClientSettings.DEFAULT_MAX_LINE_BYTES);
        return new HttpMixpanelExportClient(settings, credentials, requestLog, sleeper.getIfAvailable(() -> Sleeper.SYSTEM),
                job.mixpanel().timezone());
    }

    @Bean(destroyMethod = "close")
    public Progress progress() {
        return Progress.forConsole();
    }

    /** The multi-day downloads' live line on a terminal (step 1); the conversion has {@link #progress()}. */
    @Bean(destroyMethod = "close")
    public DownloadProgress downloadProgress() {
        return DownloadProgress.forConsole();
    }

    @Bean
    public Storage storage(JobDefinition job) {
        return StorageFactory.create(job.destination().uri(), job.destination().s3(), job.destination().gcs());
    }

    @Bean
    public DatasetLayout datasetLayout(JobDefinition job) {
        return new DatasetLayout(job.destination().uri(), job.mixpanel().projectId());
    }

    @Bean
    public DayPublisher dayPublisher(Storage storage, DatasetLayout layout) {
        return new DayPublisher(storage, layout);
    }

    /** The job's spools; with {@code export.spoolUri}, each complete one also in that shared storage. */
    @Bean
    public IdentityPublisher identityPublisher(JobDefinition job, Storage storage) {
        return new IdentityPublisher(storage, new IdentityLayout(job.destination().uri(), job.mixpanel().projectId()),
                ParquetSettings.options(job));
    }

    @Bean
    public IdentityMaintenance identityMaintenance(JobDefinition job, PartitionLedger ledger, IdentityLedger identityLedger,
            IdentityPublisher identityPublisher, DayPublisher publisher, Storage storage) {
        return new IdentityMaintenance(job, ledger, identityLedger, identityPublisher, publisher, storage);
    }

    @Bean
    public DaySpools daySpools(JobDefinition job) {
        var shared = job.export().spoolUri();
        return new DaySpools(job, shared == null ? new SpoolStore(job.export().spoolDir(), job.name())
                : new SpoolStore(job.export().spoolDir(), job.name(),
                        StorageFactory.create(shared, job.destination().s3(), job.destination().gcs()), shared));
    }

    /** How this run's days ended when they did not publish, for its summary and exit code. */
    @Bean
    public RunOutcomes runOutcomes() {
        return new RunOutcomes();
    }

    /**
     * Bounds the day steps' own downloads (one-day requests) to export.maxConcurrentRequests; step 1's
     * multi-day fetches are bounded by its executor, and the two steps never run at once.
     */
    @Bean
    public Semaphore requestSlots(JobDefinition job) {
        return new Semaphore(job.export().maxConcurrentRequests());
    }

    @Bean
    public DayCompletion dayCompletion(JobDefinition job, PartitionLedger ledger, DayPublisher publisher,
            Storage storage, DatasetLayout layout, Progress progress, IdentityMaintenance identity) {
        return new DayCompletion(job, ledger, publisher, storage, layout, progress, identity);
    }

    /** Which slices of the sliced days being converted are staged, and which slice assembles each day. */
    @Bean
    public io.mixpanelpipelines.job.day.SliceAssembly sliceAssembly(JobDefinition job, DataSource dataSource,
            DayCompletion completion, IdentityMaintenance identity) {
        return new io.mixpanelpipelines.job.day.SliceAssembly(job,
                new io.mixpanelpipelines.state.jdbc.JdbcSliceLedger(dataSource), completion, identity);
    }

    @Bean
    public ExportService exportService(JobDefinition job, String runId, PartitionLedger ledger, RequestBudget budget,
            DaySpools spools, RunOutcomes outcomes, Storage storage, DatasetLayout layout, JobOperator jobOperator,
            JobRepository jobRepository, Job exportJob, JobLock jobLock, ObjectProvider<Clock> clock,
            StateStoreRetry stateStoreRetry, ObjectProvider<io.mixpanelpipelines.job.remote.AbandonedPartitions> abandoned,
            IdentityMaintenance identity) {
        return new ExportService(job, runId, ledger, budget, spools, outcomes, storage, layout, jobOperator,
                jobRepository, exportJob, jobLock, clock.getIfAvailable(Clock::systemUTC), stateStoreRetry,
                job.export().remoteWorkers() ? abandoned.getObject() : null, identity);
    }

    /**
     * How long a state database outage is ridden out: {@code pipelines.state.retry-for} (2 minutes). Real
     * time and real sleeps, whatever clock the run is given: an outage is real.
     */
    @Bean
    public StateStoreRetry stateStoreRetry(Environment env) {
        Duration retryFor = DurationStyle.detectAndParse(env.getProperty("pipelines.state.retry-for", "2m"));
        return new StateStoreRetry(StateStoreLocation.describe(env), retryFor, Sleeper.SYSTEM);
    }
}
