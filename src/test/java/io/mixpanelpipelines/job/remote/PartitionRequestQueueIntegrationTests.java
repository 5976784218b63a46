package io.mixpanelpipelines.job.remote;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.state.WorkerRegistry;
import io.mixpanelpipelines.state.jdbc.JdbcWorkerRegistry;
import io.mixpanelpipelines.support.TestStateStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.integration.partition.StepExecutionRequest;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.Message;

/**
 * The partition request queue and the worker registry on a real PostgreSQL migrated by Flyway: each request
 * reaches exactly one of several competing consumers (separate queue instances, as separate processes
 * have), a closed queue hands out nothing, stale requests are discarded, and a silent worker's claim shows.
 */
class PartitionRequestQueueIntegrationTests {

    @TempDir
    Path tmp;

    private DataSource migrated() {
        DataSource ds = TestStateStore.empty("postgresql", tmp);
        TestStateStore.flyway(ds, "postgresql").migrate();
        return ds;
    }

    @Test
    void everyRequestReachesExactlyOneOfTheCompetingWorkers() throws Exception {
        DataSource ds = migrated();
        PartitionRequestQueue manager = new PartitionRequestQueue(ds, "job-a");
        int requests = 40;
        for (int i = 0; i < requests; i++) {
            manager.channel().send(MessageBuilder.withPayload(new StepExecutionRequest("exportDay", i)).build());
        }
        new PartitionRequestQueue(ds, "job-b").channel().send(MessageBuilder.withPayload(new StepExecutionRequest("exportDay", 99)).build());
        assertThat(manager.waiting()).isEqualTo(requests);

        List<Long> taken = Collections.synchronizedList(new ArrayList<>());
        ExecutorService workers = Executors.newFixedThreadPool(3);
        for (int w = 0; w < 3; w++) {
            PartitionRequestQueue worker = new PartitionRequestQueue(ds, "job-a");
            workers.submit(() -> {
                Message<?> m;
                while ((m = worker.channel().receive(0)) != null) {
                    taken.add(((StepExecutionRequest) m.getPayload()).getStepExecutionId());
                }
            });
        }
        workers.shutdown();
        assertThat(workers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        assertThat(taken).hasSize(requests).doesNotHaveDuplicates().doesNotContain(99L);

        PartitionRequestQueue other = new PartitionRequestQueue(ds, "job-b");
        other.close();
        assertThat(other.channel().receive(0)).as("a closed queue takes nothing").isNull();
        assertThat(other.waiting()).isEqualTo(1);
        assertThat(new PartitionRequestQueue(ds, "job-b").discardWaiting()).isEqualTo(1);
        assertThat(other.waiting()).isZero();
    }

    @Test
    void aClaimOfASilentWorkerIsAbandonedAndOneOfALiveWorkerIsNot() throws Exception {
        DataSource ds = migrated();
        var jdbc = new org.springframework.jdbc.core.JdbcTemplate(ds);
        jdbc.update("INSERT INTO BATCH_JOB_INSTANCE (JOB_INSTANCE_ID, VERSION, JOB_NAME, JOB_KEY) VALUES (1, 0, 'j', 'k')");
        jdbc.update("INSERT INTO BATCH_JOB_EXECUTION (JOB_EXECUTION_ID, VERSION, JOB_INSTANCE_ID, CREATE_TIME, STATUS) "
                + "VALUES (7, 0, 1, CURRENT_TIMESTAMP, 'STARTED')");
        for (long id : new long[] {70, 71, 72}) {
            jdbc.update("INSERT INTO BATCH_STEP_EXECUTION (STEP_EXECUTION_ID, VERSION, STEP_NAME, JOB_EXECUTION_ID, CREATE_TIME, "
                    + "STATUS) VALUES (?, 0, ?, 7, CURRENT_TIMESTAMP, ?)", id, "exportDay:day=" + id, id == 72 ? "COMPLETED" : "STARTED");
        }
        WorkerRegistry registry = new JdbcWorkerRegistry(ds);
        registry.register("alive");
        registry.register("dead");
        registry.claim(70, "alive", "day=70");
        registry.claim(71, "dead", "day=71");
        registry.claim(72, "dead", "day=72");
        jdbc.update("UPDATE mp_worker SET last_seen = last_seen - INTERVAL '1 minute' WHERE worker_id = 'dead'");

        assertThat(registry.abandonedPartitions(7, Duration.ofSeconds(30))).as("running and silent: 71; 72 completed")
                .containsExactly(71L);
        assertThat(registry.livePartitions(7, Duration.ofSeconds(30))).containsExactly(70L);
        registry.beat("dead");
        assertThat(registry.abandonedPartitions(7, Duration.ofSeconds(30))).isEmpty();
        registry.deregister("alive");
        assertThat(registry.abandonedPartitions(7, Duration.ofSeconds(30))).as("a worker gone without its partition").containsExactly(70L);
        assertThat(registry.livePartitions(7, Duration.ofSeconds(30))).containsExactly(71L);
        assertThat(registry.claims(7)).extracting(WorkerRegistry.Claim::workerId).containsExactly("alive", "dead", "dead");
    }
}
