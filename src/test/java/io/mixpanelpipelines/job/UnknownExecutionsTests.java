package io.mixpanelpipelines.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.support.TestStateStore;
import java.nio.file.Path;
import java.time.LocalDateTime;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.repository.support.JdbcJobRepositoryFactoryBean;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * What a state database outage leaves in Spring Batch's tables, and {@link UnknownExecutions} making it
 * restartable, against a real JDBC job repository on the state store's schema (H2): an execution that ended
 * FAILED while one of its day steps is still marked STARTED (the step's failed end was not saved: its
 * connection broke as it ended) is what Spring Batch refuses to restart ("a job execution for this job is
 * already running"); CI met it once in {@code StateStoreOutageIntegrationTests}. Such a step is marked FAILED
 * when the steps ran in this process, and left alone when remote workers ran them (one may still be running).
 */
class UnknownExecutionsTests {

    @TempDir
    Path tmp;

    private JobRepository repository;

    @BeforeEach
    void repository() throws Exception {
        DataSource ds = TestStateStore.empty("h2", tmp);
        TestStateStore.flyway(ds, "h2").migrate();
        JdbcJobRepositoryFactoryBean factory = new JdbcJobRepositoryFactoryBean();
        factory.setDataSource(ds);
        factory.setTransactionManager(new DataSourceTransactionManager(ds));
        factory.afterPropertiesSet();
        repository = factory.getObject();
    }

    /** An execution that ended FAILED with its fetch step FAILED and a day step still marked {@code dayStatus}. */
    private JobExecution endedWithADayStep(BatchStatus dayStatus) {
        JobParameters params = new JobParametersBuilder().addString("job", "it").addString("run.id", "r1").toJobParameters();
        JobInstance instance = repository.createJobInstance("export-it", params);
        JobExecution execution = repository.createJobExecution(instance, params, new ExecutionContext());
        execution.setStatus(BatchStatus.STARTED);
        execution.setStartTime(LocalDateTime.now());
        repository.update(execution);
        StepExecution fetch = repository.createStepExecution("fetchWindow:2026-01-01..2026-01-03", execution);
        fetch.setStatus(BatchStatus.COMPLETED);
        fetch.setEndTime(LocalDateTime.now());
        repository.update(fetch);
        StepExecution day = repository.createStepExecution("exportDay:2026-01-03", execution);
        day.setStatus(dayStatus);
        repository.update(day);
        execution.setStatus(BatchStatus.FAILED);
        execution.setEndTime(LocalDateTime.now());
        repository.update(execution);
        return execution;
    }

    private BatchStatus stored(JobExecution execution, String step) {
        return repository.getJobExecution(execution.getId()).getStepExecutions().stream()
                .filter(s -> s.getStepName().equals(step)).findFirst().orElseThrow().getStatus();
    }

    @Test
    void aDayStepLeftRunningByAnEndedExecutionIsMarkedFailedWhenItRanHere() {
        JobExecution execution = endedWithADayStep(BatchStatus.STARTED);

        JobExecution marked = UnknownExecutions.markFailed(repository, execution, true);

        assertThat(marked.getStatus()).isEqualTo(BatchStatus.FAILED);
        assertThat(stored(execution, "exportDay:2026-01-03")).isEqualTo(BatchStatus.FAILED);
        assertThat(stored(execution, "fetchWindow:2026-01-01..2026-01-03")).as("a completed step stays completed")
                .isEqualTo(BatchStatus.COMPLETED);
        assertThat(repository.getJobExecution(execution.getId()).getStepExecutions())
                .noneMatch(s -> s.getStatus().isRunning());
    }

    @Test
    void aRemoteWorkersStepIsLeftAloneAndAnUnknownOneIsMarkedEitherWay() {
        JobExecution remote = endedWithADayStep(BatchStatus.STARTED);
        UnknownExecutions.markFailed(repository, remote, false);
        assertThat(stored(remote, "exportDay:2026-01-03")).as("a remote worker may still be converting it")
                .isEqualTo(BatchStatus.STARTED);

        repository.deleteJobInstance(remote.getJobInstance());
        JobExecution unknown = endedWithADayStep(BatchStatus.UNKNOWN);
        UnknownExecutions.markFailed(repository, unknown, false);
        assertThat(stored(unknown, "exportDay:2026-01-03")).isEqualTo(BatchStatus.FAILED);
    }
}
