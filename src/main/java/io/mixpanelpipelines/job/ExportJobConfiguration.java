package io.mixpanelpipelines.job;

import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.dataset.DatasetLayout;
import io.mixpanelpipelines.ingest.LineBatch;
import io.mixpanelpipelines.job.day.CheckpointInterval;
import io.mixpanelpipelines.job.day.DayCompletion;
import io.mixpanelpipelines.job.day.DayLineReader;
import io.mixpanelpipelines.job.day.DayPartWriter;
import io.mixpanelpipelines.job.day.DaySpools;
import io.mixpanelpipelines.job.day.DayStream;
import io.mixpanelpipelines.job.day.Progress;
import io.mixpanelpipelines.job.plan.DaySlice;
import io.mixpanelpipelines.job.plan.RequestWindow;
import io.mixpanelpipelines.job.day.RejectedUpload;
import io.mixpanelpipelines.job.day.SliceAssembly;
import io.mixpanelpipelines.job.day.SliceStep;
import io.mixpanelpipelines.source.MixpanelExportClient;
import io.mixpanelpipelines.state.PartitionLedger;
import io.mixpanelpipelines.storage.Storage;
import io.mixpanelpipelines.convert.parquet.WriterBufferPool;
import io.mixpanelpipelines.job.day.ParquetSettings;
import io.mixpanelpipelines.job.remote.AbandonedPartitions;
import io.mixpanelpipelines.job.remote.PartitionRequestQueue;
import java.time.LocalDate;
import java.util.concurrent.Semaphore;
import org.springframework.batch.core.configuration.annotation.JobScope;
import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.integration.partition.RemotePartitioningManagerStepBuilder;
import org.springframework.batch.integration.partition.RemotePartitioningWorkerStepBuilder;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.batch.infrastructure.support.transaction.ResourcelessTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The Spring Batch job {@code export-<job name>}: a partitioned step, one partition per day, run by a
 * task executor {@code export.parallelism} days at a time. Each worker is a chunk-oriented step whose item
 * is a {@link LineBatch} of up to 2 MiB; a chunk is a few of them ({@link CheckpointInterval}: memory stays bounded,
 * and each chunk commit saves the day's checkpoint).
 */
@Configuration(proxyBeanMethods = false)
public class ExportJobConfiguration {

    /**
     * Batches per chunk, so per transaction, and their size: {@code pipelines.export.checkpoint-bytes}, 8MB by
     * default (4 batches of 2 MiB). One 4 MiB batch per chunk made 550 commits for a 3M-event day, and their
     * state-store and job-repository work cost about 0.7 s of CPU; four 2 MiB batches make about 280. A restart
     * resumes from the last part closed before the last commit, so a kill redoes at most one part and one chunk
     * of input: nothing next to a default part of 128 MB.
     */
    @Bean
    public CheckpointInterval checkpointInterval(Environment env) {
        return CheckpointInterval.configured(env);
    }

    /** The Spring Batch job's name for a job definition. */
    public static String batchJobName(JobDefinition job) {
        return "export-" + job.name();
    }

    @Bean
    public Job exportJob(JobRepository jobRepository, Step fetchWindows, Step exportDays, JobDefinition job) {
        return new JobBuilder(batchJobName(job), jobRepository).start(fetchWindows).next(exportDays).build();
    }

    /** Step 1: one partition per request window, {@code export.maxConcurrentRequests} at a time. */
    @Bean
    public Step fetchWindows(JobRepository jobRepository, Step fetchWindow, WindowPartitioner windowPartitioner,
            JobDefinition job) {
        int concurrency = job.export().maxConcurrentRequests();
        SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor("fetch-");
        executor.setConcurrencyLimit(concurrency);
        // allowed to start again when complete: a restart re-checks (free of requests when spools are complete)
        // that every day still has its spool, e.g. after an operator's rerun discarded one
        return new StepBuilder("fetchWindows", jobRepository)
                .allowStartIfComplete(true)
                .partitioner("fetchWindow", windowPartitioner)
                .step(fetchWindow)
                .gridSize(concurrency)
                .taskExecutor(executor)
                .build();
    }

    @Bean
    public Step fetchWindow(JobRepository jobRepository, JobDefinition job, String runId, MixpanelExportClient client,
            DaySpools spools, PartitionLedger ledger, RunOutcomes outcomes, DownloadProgress downloadProgress) {
        // no transaction around a download that may take minutes: the ledger writes commit on their own
        return new StepBuilder("fetchWindow", jobRepository)
                .tasklet(new WindowFetchTasklet(job, runId, client, spools, ledger, outcomes, jobRepository,
                        downloadProgress),
                        new ResourcelessTransactionManager())
                .allowStartIfComplete(true)
                .build();
    }

    @Bean
    @JobScope
    public WindowPartitioner windowPartitioner(@Value("#{jobParameters['windows']}") String windows, JobDefinition job) {
        return new WindowPartitioner(RequestWindow.decode(windows), job.mixpanel().timezone());
    }

    /**
     * Step 2: one partition per day, {@code export.parallelism} at a time in this process; with
     * {@code export.workers: remote}, the manager step of Spring Batch's remote partitioning instead: each
     * partition is a request on the state database's queue ({@link RemotePartitioning}) that a {@code worker}
     * process takes and runs as its {@link #exportDay} step; this step polls the job repository until every
     * partition has ended, while {@link AbandonedPartitions} fails those whose worker died.
     */
    @Bean
    public Step exportDays(JobRepository jobRepository, Step exportDay, DayPartitioner dayPartitioner, JobDefinition job,
            ObjectProvider<PartitionRequestQueue> queue, ObjectProvider<AbandonedPartitions> abandoned) {
        if (job.export().remoteWorkers()) {
            PartitionRequestQueue requests = queue.getObject();
            return new RemotePartitioningManagerStepBuilder("exportDays", jobRepository)
                    .partitioner("exportDay", dayPartitioner)
                    .outputChannel(requests.channel())
                    .pollInterval(RemotePartitioning.POLL_INTERVAL_MS)
                    .listener(RemotePartitioning.discardStaleRequests(requests))
                    .listener(abandoned.getObject())
                    .build();
        }
        SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor("export-day-");
        executor.setConcurrencyLimit(job.export().parallelism());
        return new StepBuilder("exportDays", jobRepository)
                .partitioner("exportDay", dayPartitioner)
                .step(exportDay)
                .gridSize(job.export().parallelism())
                .taskExecutor(executor)
                .build();
    }

    /**
     * A day's worker: the reader, the writer and their stream are step-scoped (one set per day); the stream
     * is the only ItemStream registered, so the day opens in one fixed order (see {@link DayStream}).
     */
    @Bean
    public Step exportDay(JobRepository jobRepository, PlatformTransactionManager transactionManager,
            DayLineReader dayReader, DayPartWriter dayWriter, DayStream dayStream, DayStepListener dayStepListener,
            ObjectProvider<RemoteWorkerConfiguration.Worker> worker, BeanFactory beanFactory, CheckpointInterval interval) {
        RemoteWorkerConfiguration.Worker w = worker.getIfAvailable();
        // in a worker process: the same step, fed by the partition request queue (Spring Batch's worker builder
        // registers the flow from the queue to the step)
        StepBuilder builder = w == null ? new StepBuilder("exportDay", jobRepository)
                : new RemotePartitioningWorkerStepBuilder("exportDay", jobRepository)
                        .inputChannel(w.queue().channel())
                        .beanFactory(beanFactory)
                        .listener(w.claims());
        return builder
                .<LineBatch, LineBatch>chunk(interval.batchesPerChunk())
                .transactionManager(transactionManager)
                .reader(dayReader)
                .writer(dayWriter)
                .stream(dayStream)
                .listener(dayStepListener)
                .build();
    }

    /**
     * Step 2's partitions ({@link DayPartitioner#of}): days, and the slices of sliced days; a sliced day whose
     * hashed slices hold the published content is one partition that converts nothing. A sliced day is
     * recorded as started here, once, before any of its slices runs: a slice starting after another failed
     * must not make the failed day look running again.
     */
    @Bean
    @JobScope
    public DayPartitioner dayPartitioner(@Value("#{jobParameters['windows']}") String windows, DaySpools spools,
            RunOutcomes outcomes, JobDefinition job, PartitionLedger ledger, String runId) {
        java.time.ZoneId zone = job.mixpanel().timezone();
        DayPartitioner partitioner = DayPartitioner.of(RequestWindow.decode(windows), zone, spools, outcomes,
                job.export().remoteWorkers(),
                w -> DayCompletion.leavesUnchanged(ledger, job.name(), w.from(), spools.hashedSlices(w.slices(zone), w.label())));
        partitioner.slicedDays().forEach(d -> ledger.started(job.name(), d, runId));
        return partitioner;
    }

    /** The slice a day step converts (from its partition's context), or null when it converts a whole day. */
    static SliceStep sliceStep(Integer fromHour, String window, long jobInstanceId, JobDefinition job) {
        if (fromHour == null) {
            return null;
        }
        java.util.List<DaySlice> slices = RequestWindow.decode(window).get(0).slices(job.mixpanel().timezone());
        DaySlice slice = slices.stream().filter(s -> s.fromHour() == fromHour).findFirst()
                .orElseThrow(() -> new IllegalStateException(window + " has no slice from hour " + fromHour));
        return new SliceStep(slice, slices, window, jobInstanceId);
    }

    @Bean
    @StepScope
    public DayLineReader dayReader(@Value("#{stepExecutionContext['day']}") String day, JobDefinition job,
            DaySpools spools, MixpanelExportClient client, Semaphore requestSlots,
            @Value("#{stepExecutionContext['slice']}") Integer fromHour, @Value("#{stepExecutionContext['window']}") String window,
            @Value("#{stepExecution.jobExecution.jobInstance.instanceId}") long jobInstanceId, CheckpointInterval interval) {
        return new DayLineReader(LocalDate.parse(day), job, spools, client, requestSlots,
                sliceStep(fromHour, window, jobInstanceId, job), interval.batchBytes());
    }

    /**
     * The Parquet writers' buffers of the run: one set per day converting at once. The memory of the
     * conversion is bounded by this pool, not by the task executor alone: see {@link WriterBufferPool}.
     */
    @Bean
    public WriterBufferPool writerBufferPool(JobDefinition job) {
        return new WriterBufferPool(ParquetSettings.options(job), job.export().parallelism());
    }

    @Bean
    @StepScope
    public DayPartWriter dayWriter(@Value("#{stepExecutionContext['day']}") String day, JobDefinition job,
            Storage storage, DatasetLayout layout, Progress progress, DayCompletion completion, DayLineReader dayReader,
            WriterBufferPool writerBufferPool, io.mixpanelpipelines.job.day.IdentityMaintenance identity,
            SliceAssembly assembly, @Value("#{stepExecutionContext['slice']}") Integer fromHour,
            @Value("#{stepExecutionContext['window']}") String window,
            @Value("#{stepExecution.jobExecution.jobInstance.instanceId}") long jobInstanceId) {
        return new DayPartWriter(LocalDate.parse(day), job, storage, layout, progress, completion, dayReader,
                writerBufferPool, identity, sliceStep(fromHour, window, jobInstanceId, job), assembly);
    }

    @Bean
    @StepScope
    public DayStream dayStream(@Value("#{stepExecutionContext['day']}") String day, JobDefinition job, String runId,
            PartitionLedger ledger, DaySpools spools, DayLineReader dayReader, DayPartWriter dayWriter,
            @Value("#{stepExecutionContext['slice']}") Integer fromHour,
            @Value("#{stepExecutionContext['window']}") String window,
            @Value("#{stepExecution.jobExecution.jobInstance.instanceId}") long jobInstanceId) {
        // a sliced day's window without a slice: the whole day, found unchanged from its hashed slices
        RequestWindow slicedDay = fromHour == null && window != null ? RequestWindow.decode(window).get(0) : null;
        return new DayStream(LocalDate.parse(day), job, runId, ledger, spools, dayReader, dayWriter,
                sliceStep(fromHour, window, jobInstanceId, job), slicedDay);
    }

    @Bean
    public DayStepListener dayStepListener(JobDefinition job, String runId, PartitionLedger ledger, DaySpools spools,
            RunOutcomes outcomes, io.mixpanelpipelines.state.StateStoreRetry stateStoreRetry, Storage storage,
            DatasetLayout layout) {
        return new DayStepListener(job.name(), runId, ledger, spools, outcomes, stateStoreRetry.store(),
                job.mixpanel().timezone(), job.export().remoteWorkers() ? new RejectedUpload(storage, layout) : null);
    }
}
