package io.mixpanelpipelines.it.remote;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.simulator.MixpanelSimulator;
import io.mixpanelpipelines.storage.s3.S3ProxyServer;
import io.mixpanelpipelines.support.ChildJvm;
import io.mixpanelpipelines.support.ExportWorkspace;
import io.mixpanelpipelines.support.ParquetAssertions;
import io.mixpanelpipelines.support.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code export.workers: remote} end to end, as users run it: a manager ({@code export}) and two
 * {@code worker} processes, each its own JVM, on one PostgreSQL state database (the partition requests
 * travel through its channel message store) and an S3 server (S3Proxy) holding the shared spools. What ran
 * where is read back from the job repository and the workers' claims; the output is read by DuckDB.
 */
class RemoteWorkersIntegrationTests {

    private static final LocalDate FIRST = LocalDate.parse("2026-01-01");
    private static final int DAYS = 6;

    @TempDir
    Path tmp;
    private MixpanelSimulator sim;
    private ExportWorkspace ws;
    private JdbcTemplate db;
    private String jdbcUrl;
    private String bucket;
    private final List<ChildJvm> children = new ArrayList<>();
    private final String secret = "remote-secret-" + System.nanoTime();

    private void setUp(long eventsPerDay, String... export) throws Exception {
        S3ProxyServer s3 = S3ProxyServer.get();
        bucket = "spool-" + UUID.randomUUID().toString().substring(0, 8);
        s3.createBucket(bucket);
        String database = TestPostgres.newDatabase("remote");
        jdbcUrl = TestPostgres.jdbcUrl(database);
        db = new JdbcTemplate(TestPostgres.dataSource(database));
        sim = MixpanelSimulator.builder().eventsPerDay(eventsPerDay).seed(14).projectId("123456")
                .serviceAccount("remote-user", secret).timezone(ZoneId.of("UTC")).build().start(0);
        List<String> lines = new ArrayList<>(List.of("workers: remote", "spoolUri: s3://" + bucket + "/_spool/",
                "workerHeartbeat: 1s", "parallelism: 1", "partSize: 1MB"));
        lines.addAll(List.of(export));
        ws = new ExportWorkspace(tmp, Map.of()).job(sim.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(),
                lines.toArray(String[]::new));
        // the spools' S3 server: the destination's s3 settings apply to export.spoolUri too
        Files.writeString(ws.jobFile, Files.readString(ws.jobFile) + "  s3:\n    region: us-east-1\n    endpoint: "
                + s3.endpoint() + "\n    pathStyleAccess: true\n");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (ChildJvm c : children) {
            c.process.destroyForcibly();
            c.process.waitFor(20, TimeUnit.SECONDS);
        }
        if (sim != null) {
            sim.close();
        }
    }

    private ChildJvm start(String name, String... args) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("IT_SA_USER", "remote-user", "IT_SA_SECRET", secret,
                "AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY,
                "AWS_REGION", "us-east-1"));
        // the JIT's first tier only: the three JVMs start faster, and a few MB a day need no more
        ChildJvm child = ChildJvm.startWithJvmOptions(tmp, name, env, ChildJvm.QUICK_START,
                List.of("spring.datasource.url=" + jdbcUrl), args);
        children.add(child);
        return child;
    }

    private ChildJvm worker(String name) throws Exception {
        return start(name, "worker", "--job", ws.jobFile.toString(), "--name", name);
    }

    private ChildJvm manager() throws Exception {
        return start("manager", "export", "--job", ws.jobFile.toString(), "--from", FIRST.toString(), "--to",
                FIRST.plusDays(DAYS - 1).toString());
    }

    /** Waits until both workers are registered, so that both are there when the partitions are queued. */
    private void awaitWorkers(ChildJvm... workers) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (registered() < workers.length) {
            for (ChildJvm w : workers) {
                assertThat(w.process.isAlive()).as("worker died: %s", w.stderr).isTrue();
            }
            assertThat(System.nanoTime()).as("workers did not register in time").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private int registered() {
        try {
            return db.queryForObject("SELECT COUNT(*) FROM mp_worker", Integer.class);
        } catch (org.springframework.dao.DataAccessException notYetMigrated) {
            return 0;
        }
    }

    /** Partition name to the workers that ran it to completion. */
    private Map<String, String> completedBy() {
        Map<String, String> by = new LinkedHashMap<>();
        db.query("SELECT p.partition_name, p.worker_id FROM mp_worker_partition p JOIN BATCH_STEP_EXECUTION s "
                + "ON s.STEP_EXECUTION_ID = p.step_execution_id WHERE s.STATUS = 'COMPLETED' ORDER BY p.partition_name",
                rs -> {
                    by.put(rs.getString(1), rs.getString(2));
                });
        return by;
    }

    private Map<LocalDate, List<String>> expected() {
        Map<LocalDate, List<String>> served = new LinkedHashMap<>();
        for (int i = 0; i < DAYS; i++) {
            served.put(FIRST.plusDays(i), sim.expectedLines(FIRST.plusDays(i), true));
        }
        return served;
    }

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
        // 30,000 events a day: the first checkpoint (16 MiB of lines) is at line 20,481, so a worker is caught
        // with a third of its day to go
        setUp(30_000, "daysPerRequest: 3", "requestsPerHour: 10");
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
                "jdbc:h2:file:" + tmp.resolve("state/pipelines") + ";AUTO_SERVER=TRUE;WRITE_DELAY=0"));
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

    /** Waits until {@code worker} runs a partition that saved a checkpoint; returns its partition name. */
    private String awaitCheckpointedPartition(String worker, ChildJvm manager) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            assertThat(manager.process.isAlive()).as("the export ended before the worker could be killed: %s",
                    manager.stderr).isTrue();
            List<String> running = db.queryForList("SELECT p.partition_name FROM mp_worker_partition p "
                    + "JOIN BATCH_STEP_EXECUTION s ON s.STEP_EXECUTION_ID = p.step_execution_id "
                    + "WHERE p.worker_id = ? AND s.STATUS = 'STARTED' AND s.COMMIT_COUNT >= 1", String.class, worker);
            if (!running.isEmpty()) {
                return running.get(0);
            }
            Thread.sleep(10);
        }
        throw new AssertionError(worker + " never ran a checkpointed partition");
    }
}
