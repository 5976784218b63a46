package io.mixpanelpipelines.it.remote;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.simulator.MixpanelSimulator;
import io.mixpanelpipelines.storage.s3.S3ProxyServer;
import io.mixpanelpipelines.support.ChildJvm;
import io.mixpanelpipelines.support.ExportWorkspace;
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
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The fixture of the remote workers' tests: a manager and {@code worker} processes, each its own JVM, on one
 * embedded PostgreSQL state database (the partition requests travel through its channel message store) and
 * an S3 server (S3Proxy) holding the shared spools, against the simulator; what ran where is read back from
 * the job repository and the workers' claims.
 */
abstract class RemoteWorkersFixture {

    static final LocalDate FIRST = LocalDate.parse("2026-01-01");
    static final int DAYS = 6;

    @TempDir
    Path tmp;
    MixpanelSimulator sim;
    ExportWorkspace ws;
    JdbcTemplate db;
    private SingleConnectionDataSource connection;
    String jdbcUrl;
    String bucket;
    private final List<ChildJvm> children = new ArrayList<>();
    final String secret = "remote-secret-" + System.nanoTime();

    void setUp(long eventsPerDay, String... export) throws Exception {
        S3ProxyServer s3 = S3ProxyServer.get();
        bucket = "spool-" + UUID.randomUUID().toString().substring(0, 8);
        s3.createBucket(bucket);
        String database = TestPostgres.newDatabase("remote");
        jdbcUrl = TestPostgres.jdbcUrl(database);
        // one connection for the test's queries: its waits poll every 10 ms, and a new connection each time cost
        // PostgreSQL a process start each, CPU the workers under test were short of
        connection = new SingleConnectionDataSource(jdbcUrl, true);
        db = new JdbcTemplate(connection);
        sim = MixpanelSimulator.builder().eventsPerDay(eventsPerDay).seed(14).projectId("123456")
                .serviceAccount("remote-user", secret).timezone(ZoneId.of("UTC")).build().start(0);
        // a worker silent for three heartbeats counts as dead: 6 s, so that one slowed by the other test fork's
        // load is not taken for dead (its partition would be fetched again)
        List<String> lines = new ArrayList<>(List.of("workers: remote", "spoolUri: s3://" + bucket + "/_spool/",
                "workerHeartbeat: 2s", "parallelism: 1", "partSize: 1MB"));
        lines.addAll(List.of(export));
        ws = new ExportWorkspace(tmp, Map.of()).job(sim.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(),
                lines.toArray(String[]::new));
        // the spools' S3 server: the destination's s3 settings apply to export.spoolUri too
        Files.writeString(ws.jobFile, Files.readString(ws.jobFile) + "  s3:\n    region: us-east-1\n    endpoint: "
                + s3.endpoint() + "\n    pathStyleAccess: true\n");
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            for (ChildJvm c : children) {
                c.process.destroyForcibly();
                c.process.waitFor(20, TimeUnit.SECONDS);
            }
            if (sim != null) {
                sim.close();
            }
        } finally {
            if (connection != null) {
                connection.destroy();
            }
        }
    }

    ChildJvm start(String name, String... args) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("IT_SA_USER", "remote-user", "IT_SA_SECRET", secret,
                "AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY,
                "AWS_REGION", "us-east-1"));
        // the JIT's first tier only: the three JVMs start faster, and a few MB a day need no more; a checkpoint
        // every 2 MB of lines (one batch a chunk, not four): a partition commits its first checkpoint after about 2,500 lines
        ChildJvm child = ChildJvm.startWithJvmOptions(tmp, name, env, ChildJvm.QUICK_START,
                List.of("spring.datasource.url=" + jdbcUrl, "pipelines.export.checkpoint-bytes=2MB"), args);
        children.add(child);
        return child;
    }

    ChildJvm worker(String name) throws Exception {
        return start(name, "worker", "--job", ws.jobFile.toString(), "--name", name);
    }

    ChildJvm manager() throws Exception {
        return manager(DAYS);
    }

    /** The manager of an export of the {@code days} days from {@link #FIRST}. */
    ChildJvm manager(int days) throws Exception {
        return start("manager", "export", "--job", ws.jobFile.toString(), "--from", FIRST.toString(), "--to",
                FIRST.plusDays(days - 1).toString());
    }

    /** Waits until both workers are registered, so that both are there when the partitions are queued. */
    void awaitWorkers(ChildJvm... workers) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (registered() < workers.length) {
            for (ChildJvm w : workers) {
                assertThat(w.process.isAlive()).as("worker died: %s", w.stderr).isTrue();
            }
            assertThat(System.nanoTime()).as("workers did not register in time").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    int registered() {
        try {
            return db.queryForObject("SELECT COUNT(*) FROM mp_worker", Integer.class);
        } catch (org.springframework.jdbc.BadSqlGrammarException notYetMigrated) { // no mp_worker table yet
            return 0;
        }
    }

    /** Partition name to the workers that ran it to completion. */
    Map<String, String> completedBy() {
        Map<String, String> by = new LinkedHashMap<>();
        db.query("SELECT p.partition_name, p.worker_id FROM mp_worker_partition p JOIN BATCH_STEP_EXECUTION s "
                + "ON s.STEP_EXECUTION_ID = p.step_execution_id WHERE s.STATUS = 'COMPLETED' ORDER BY p.partition_name",
                rs -> {
                    by.put(rs.getString(1), rs.getString(2));
                });
        return by;
    }

    Map<LocalDate, List<String>> expected() {
        return expected(DAYS);
    }

    /** What the simulator serves for the {@code days} days from {@link #FIRST}. */
    Map<LocalDate, List<String>> expected(int days) {
        Map<LocalDate, List<String>> served = new LinkedHashMap<>();
        for (int i = 0; i < days; i++) {
            served.put(FIRST.plusDays(i), sim.expectedLines(FIRST.plusDays(i), true));
        }
        return served;
    }

    /** Waits until {@code worker} runs a partition that saved a checkpoint; returns its partition name. */
    String awaitCheckpointedPartition(String worker, ChildJvm manager) throws Exception {
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
