package io.mixpanelpipelines.it.remote;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.config.StateStoreLocation;
import io.mixpanelpipelines.storage.s3.S3ProxyServer;
import io.mixpanelpipelines.support.ChildJvm;
import io.mixpanelpipelines.support.ExportWorkspace;
import io.mixpanelpipelines.support.ParquetAssertions;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code export.workers: remote} end to end, as users run it: a manager ({@code export}) and two
 * {@code worker} processes, each its own JVM, on one PostgreSQL state database (the partition requests
 * travel through its channel message store) and an S3 server (S3Proxy) holding the shared spools. What ran
 * where is read back from the job repository and the workers' claims; the output is read by DuckDB.
 */
class RemoteWorkersIntegrationTests extends RemoteWorkersFixture {

    @Test
    void twoWorkersShareTheDaysOfOneExportAndEveryRequestIsOneThePlanHas() throws Exception {
        setUp(5_000, "daysPerRequest: 1");
        ChildJvm a = worker("worker-a");
        ChildJvm b = worker("worker-b");
        awaitWorkers(a, b);

        ChildJvm manager = manager();
        assertThat(manager.process.waitFor(90, TimeUnit.SECONDS)).as("manager finished").isTrue();
        assertThat(manager.process.exitValue()).as(manager.err()).isZero();
        assertThat(manager.out()).as("the run's summary counts its workers' requests")
                .contains("6 of 6 day(s) published; 6 request(s) sent to Mixpanel");

        Map<String, String> by = completedBy();
        assertThat(by).as("every day ran to completion on a worker").hasSize(DAYS);
        assertThat(by.values()).as("both workers ran partitions: " + by).contains("worker-a", "worker-b");
        assertThat(sim.requestCount()).as("one request per day, as planned; the workers made them").isEqualTo(DAYS);
        assertThat(db.queryForObject("SELECT COUNT(*) FROM mp_request_log", Integer.class))
                .as("every request charged to the one budget in the state database").isEqualTo(DAYS);
        ParquetAssertions.assertExactly(ws.events(), expected());
        ParquetAssertions.assertFoldersMatchManifests(ws.events(), expected().keySet());
        try (S3Client s3 = S3ProxyServer.client(S3ProxyServer.get().endpoint())) {
            assertThat(s3.listObjectsV2(r -> r.bucket(bucket)).contents()).as("published days' shared spools deleted").isEmpty();
        }

        // SIGTERM: an idle worker deregisters and exits 0
        a.process.destroy();
        assertThat(a.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(a.process.exitValue()).as(a.err()).isZero();
        assertThat(db.queryForList("SELECT worker_id FROM mp_worker", String.class)).containsExactly("worker-b");
    }

    @Test
    void aWorkerKilledMidPartitionLeavesItToTheOtherWhichResumesItWithoutARequest() throws Exception {
        // 3 days a request: the manager fetches 2 windows and spools their days in S3; the workers convert them.
        // 10,000 events a day: the first commit (2 MB of lines, about 2,500) saves the end of the first closed part, so a worker is caught
        // with most of its day to go
        setUp(10_000, "daysPerRequest: 3", "requestsPerHour: 10");
        ChildJvm a = worker("worker-a");
        ChildJvm b = worker("worker-b");
        awaitWorkers(a, b);
        ChildJvm manager = manager();

        String killed = awaitCheckpointedPartition("worker-b", manager);
        b.process.destroyForcibly(); // SIGKILL: no shutdown hook, no deregistration
        b.process.waitFor(30, TimeUnit.SECONDS);
        int requestsAtKill = sim.requestCount();

        assertThat(manager.process.waitFor(120, TimeUnit.SECONDS)).as("manager finished").isTrue();
        assertThat(manager.process.exitValue()).as(manager.err()).isZero();
        assertThat(manager.err()).contains("taken from dead workers");
        assertThat(requestsAtKill).as("the two windows were fetched before the days were converted").isEqualTo(2);
        assertThat(sim.requestCount()).as("no request for the spooled partition given to the other worker").isEqualTo(2);
        assertThat(db.queryForObject("SELECT COUNT(*) FROM mp_request_log", Integer.class)).isLessThanOrEqualTo(10);
        assertThat(completedBy()).hasSize(DAYS).containsEntry(killed, "worker-a");
        assertThat(a.err()).contains(killed.substring("day=".length()) + ": resuming after");
        ParquetAssertions.assertExactly(ws.events(), expected());
        ParquetAssertions.assertFoldersMatchManifests(ws.events(), expected().keySet());
    }

    @Test
    void remoteWorkersNeedAStateDatabaseEveryMachineReaches() throws Exception {
        setUp(10, "daysPerRequest: 1");
        ExportWorkspace h2 = new ExportWorkspace(tmp, Map.of("spring.datasource.url",
                StateStoreLocation.h2Url(tmp.resolve("state"))));
        h2.env.putAll(Map.of("IT_SA_USER", "remote-user", "IT_SA_SECRET", secret));

        assertThat(h2.run("export", "--job", ws.jobFile.toString(), "--from", "2026-01-01", "--to", "2026-01-01")).isEqualTo(2);
        assertThat(h2.lastErr).contains("export.workers: remote needs a state database that the manager and every worker "
                + "reach: PostgreSQL").contains("H2 file");
        assertThat(h2.run("worker", "--job", ws.jobFile.toString(), "--name", "w")).isEqualTo(2);
        assertThat(h2.lastErr).contains("PostgreSQL");
        assertThat(sim.requestCount()).isZero();

        Files.writeString(ws.jobFile, Files.readString(ws.jobFile).replace("workers: remote", "workers: local"));
        assertThat(h2.run("worker", "--job", ws.jobFile.toString())).isEqualTo(2);
        assertThat(h2.lastErr).as(h2.lastOut).contains("a worker serves only a job with export.workers: remote");
    }
}
