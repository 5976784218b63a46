package io.mixpanelpipelines.job;

import io.mixpanelpipelines.config.JobDefinition;
import java.time.LocalDate;
import org.springframework.batch.core.configuration.annotation.JobScope;
import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.item.ItemReader;
import org.springframework.batch.infrastructure.item.ItemWriter;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The Spring Batch job {@code export-<job name>}: a partitioned step, one partition per day, run by a
 * task executor {@code export.parallelism} days at a time. Each worker is a chunk-oriented step whose item
 * is a {@link LineBatch} (a chunk of one batch of a few MiB: memory stays bounded and each chunk commit
 * saves the day's checkpoint).
 */
@Configuration(proxyBeanMethods = false)
public class ExportJobConfiguration {

    /** The Spring Batch job's name for a job definition. */
    public static String batchJobName(JobDefinition job) {
        return "export-" + job.name();
    }

    @Bean
    public Job exportJob(JobRepository jobRepository, Step exportDays, JobDefinition job) {
        return new JobBuilder(batchJobName(job), jobRepository).start(exportDays).build();
    }

    @Bean
    public Step exportDays(JobRepository jobRepository, Step exportDay, DayPartitioner dayPartitioner, JobDefinition job) {
        SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor("export-day-");
        executor.setConcurrencyLimit(job.export().parallelism());
        return new StepBuilder("exportDays", jobRepository)
                .partitioner("exportDay", dayPartitioner)
                .step(exportDay)
                .gridSize(job.export().parallelism())
                .taskExecutor(executor)
                .build();
    }

    @Bean
    public Step exportDay(JobRepository jobRepository, PlatformTransactionManager transactionManager,
            DayPartition dayPartition, DayStepListener dayStepListener) {
        ItemReader<LineBatch> reader = dayPartition::read;
        ItemWriter<LineBatch> writer = dayPartition::write;
        return new StepBuilder("exportDay", jobRepository)
                .<LineBatch, LineBatch>chunk(1)
                .transactionManager(transactionManager)
                .reader(reader)
                .writer(writer)
                .stream(dayPartition)
                .listener(dayStepListener)
                .build();
    }

    @Bean
    @JobScope
    public DayPartitioner dayPartitioner(@Value("#{jobParameters['days']}") String days) {
        return new DayPartitioner(DayRanges.parse(days));
    }

    @Bean
    @StepScope
    public DayPartition dayPartition(@Value("#{stepExecutionContext['day']}") String day, ExportContext exportContext) {
        return new DayPartition(exportContext, LocalDate.parse(day));
    }

    @Bean
    public DayStepListener dayStepListener(ExportContext exportContext) {
        return new DayStepListener(exportContext);
    }
}
