package io.mixpanelpipelines.it.lock;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.config.StateStoreLocation;
import io.mixpanelpipelines.simulator.Fault;
import io.mixpanelpipelines.simulator.MixpanelSimulator;
import io.mixpanelpipelines.support.ChildJvm;
import io.mixpanelpipelines.support.ExportWorkspace;
import io.mixpanelpipelines.support.ParquetAssertions;
import io.mixpanelpipelines.support.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One run per job, between real processes on one state store (H2 file in AUTO_SERVER mode, PostgreSQL):
 * two exports started at once, and a holder killed with {@code kill -9}.
 */
class JobLockIntegrationTests {

    private static final LocalDate D1 = LocalDate.parse("2026-01-01");
    private static final LocalDate D2 = LocalDate.parse("2026-01-02");
    private static final LocalDate D3 = LocalDate.parse("2026-01-03");

    @TempDir
    Path tmp;

    private final String secret = "lock-secret-" + System.nanoTime();

    private MixpanelSimulator simulator() {
        return MixpanelSimulator.builder().eventsPerDay(2_000).seed(12).projectId("123456")
                .serviceAccount("lock-user", secret).timezone(ZoneId.of("UTC")).build().start(0);
    }

    private List<String> stateStore(String vendor) {
        if (vendor.equals("h2")) {
            return List.of("spring.datasource.url=" + StateStoreLocation.h2Url(tmp.resolve("state")));
        }
        String db = TestPostgres.newDatabase("lock");
        return List.of("spring.datasource.url=" + TestPostgres.jdbcUrl(db), "spring.datasource.username=postgres",
                "spring.datasource.password=postgres");
    }

    private ChildJvm export(String name, ExportWorkspace ws, List<String> props, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("export", "--job", ws.jobFile.toString(), "--from", "2026-01-01",
                "--to", "2026-01-03"));
        args.addAll(List.of(extra));
        return ChildJvm.start(tmp, name, Map.of("IT_SA_USER", "lock-user", "IT_SA_SECRET", secret), props,
                args.toArray(String[]::new));
    }

    private static int exit(ChildJvm jvm) throws Exception {
        assertThat(jvm.process.waitFor(120, TimeUnit.SECONDS)).as(jvm.stderr.toString()).isTrue();
        return jvm.process.exitValue();
    }

    private static Map<String, Object> springProperties(List<String> props) {
        Map<String, Object> m = new java.util.HashMap<>();
        for (String p : props) {
            m.put(p.substring(0, p.indexOf('=')), p.substring(p.indexOf('=') + 1));
        }
        return m;
    }

    /** The start of the one line a refused command prints. */
    private static final String LOCKED = "error: job 'it-events' is locked by another run (host ";

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void twoExportsAtOnceRunOnceAndTheOtherNamesTheHolder(String vendor) throws Exception {
        try (MixpanelSimulator sim = simulator()) {
            ExportWorkspace ws = new ExportWorkspace(tmp, Map.of())
                    .job(sim.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(), "daysPerRequest: 3");
            // the holder's one request is slow to answer: the other command starts while it runs
            sim.faults().enqueue(Fault.slowFirstByte(Duration.ofSeconds(8)));
            List<String> props = stateStore(vendor);
            ChildJvm a = export("a", ws, props);
            ChildJvm b = export("b", ws, props);
            int ea = exit(a);
            int eb = exit(b);

            assertThat(List.of(ea, eb)).as(a.err() + "\n----\n" + b.err()).containsExactlyInAnyOrder(0, 75);
            ChildJvm holder = ea == 0 ? a : b;
            ChildJvm refused = ea == 0 ? b : a;
            assertThat(refused.out()).isEmpty();
            List<String> errLines = refused.err().lines().filter(l -> l.startsWith("error:")).toList();
            assertThat(errLines).hasSize(1);
            assertThat(errLines.get(0)).startsWith(LOCKED)
                    .contains(", pid " + holder.process.pid() + ", since ")
                    .endsWith("); --wait waits for it");
            assertThat(refused.err()).doesNotContain("recovering it");
            assertThat(sim.requestCount()).as("what one run needs: the three days in one request").isEqualTo(1);
            ParquetAssertions.assertExactly(ws.events(), Map.of(D1, sim.expectedLines(D1, true),
                    D2, sim.expectedLines(D2, true), D3, sim.expectedLines(D3, true)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aKilledHolderOnAnotherHostIsRefusedUntilItsLeaseRunsOutThenTakenOver(String vendor) throws Exception {
        try (MixpanelSimulator sim = simulator()) {
            ExportWorkspace ws = new ExportWorkspace(tmp, Map.of())
                    .job(sim.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(), "daysPerRequest: 3");
            sim.faults().enqueue(Fault.slowFirstByte(Duration.ofSeconds(19)));
            List<String> props = new ArrayList<>(stateStore(vendor));
            // long enough for the next command to start in time on a busy machine (seen: 11 s)
            props.add("pipelines.state.lock-lease=20s");

            ChildJvm killed = export("killed", ws, props);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (sim.requestCount() == 0 && System.nanoTime() < deadline && killed.process.isAlive()) {
                Thread.sleep(20);
            }
            assertThat(sim.requestCount()).as(killed.err()).isEqualTo(1);
            // the next commands run in this JVM (a child JVM's start can outlast a short lease on a busy
            // machine); status, which never takes the lock, answers while the lock is held
            ExportWorkspace again = new ExportWorkspace(tmp, springProperties(props));
            again.env.putAll(Map.of("IT_SA_USER", "lock-user", "IT_SA_SECRET", secret));
            assertThat(again.run("status", "--job", ws.jobFile.toString())).as(again.lastErr).isZero();
            // the holder as a run on another host: whether its process lives cannot be seen from here
            assertThat(lockTable(vendor, props).update("UPDATE mp_job_lock SET host = 'other-host'")).isEqualTo(1);
            killed.process.destroyForcibly(); // SIGKILL: the lock is not released, its lease stops being renewed
            killed.process.waitFor(30, TimeUnit.SECONDS);
            long killedAt = System.nanoTime();

            String[] args = {"export", "--job", ws.jobFile.toString(), "--from", "2026-01-01", "--to", "2026-01-03"};
            assertThat(again.run(args)).as(again.lastErr).isEqualTo(75);
            assertThat(again.lastOut).isEmpty();
            assertThat(again.lastErr.lines().toList()).singleElement().asString().startsWith(LOCKED)
                    .contains(", pid " + killed.process.pid() + ", since ");

            String[] waiting = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--wait=2m"))
                    .toArray(String[]::new);
            assertThat(again.run(waiting)).as(again.lastErr).isZero();
            // renewed every 3.3 s, the lease of 20 s ran out at least 16 s after the kill
            assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).as("waited for the lease").isGreaterThan(Duration.ofSeconds(16));
            assertThat(sim.requestCount()).as("the killed run's unanswered request, then one").isEqualTo(2);
            ParquetAssertions.assertExactly(ws.events(), Map.of(D1, sim.expectedLines(D1, true),
                    D2, sim.expectedLines(D2, true), D3, sim.expectedLines(D3, true)));
        }
    }

    private static org.springframework.jdbc.core.JdbcTemplate lockTable(String vendor, List<String> props) {
        Map<String, Object> p = springProperties(props);
        return new org.springframework.jdbc.core.JdbcTemplate(new org.springframework.jdbc.datasource.DriverManagerDataSource(
                (String) p.get("spring.datasource.url"), vendor.equals("h2") ? "sa" : "postgres", vendor.equals("h2") ? "" : "postgres"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aKilledHolderOnThisHostIsTakenOverAtOnce(String vendor) throws Exception {
        try (MixpanelSimulator sim = simulator()) {
            ExportWorkspace ws = new ExportWorkspace(tmp, Map.of())
                    .job(sim.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(), "daysPerRequest: 3");
            sim.faults().enqueue(Fault.slowFirstByte(Duration.ofSeconds(19)));
            List<String> props = new ArrayList<>(stateStore(vendor));
            props.add("pipelines.state.lock-lease=2m");

            ChildJvm killed = export("killed", ws, props);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (sim.requestCount() == 0 && System.nanoTime() < deadline && killed.process.isAlive()) {
                Thread.sleep(20);
            }
            assertThat(sim.requestCount()).as(killed.err()).isEqualTo(1);
            killed.process.destroyForcibly(); // SIGKILL: the row stays, with a lease of two minutes
            assertThat(killed.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(lockTable(vendor, props).queryForObject("SELECT pid FROM mp_job_lock", Long.class))
                    .isEqualTo(killed.process.pid());
            long killedAt = System.nanoTime();

            ExportWorkspace again = new ExportWorkspace(tmp, springProperties(props));
            again.env.putAll(Map.of("IT_SA_USER", "lock-user", "IT_SA_SECRET", secret));
            assertThat(again.run("export", "--job", ws.jobFile.toString(), "--from", "2026-01-01", "--to", "2026-01-03"))
                    .as(again.lastErr).isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).as("no wait for the lease")
                    .isLessThan(Duration.ofSeconds(60));
            assertThat(sim.requestCount()).as("the killed run's unanswered request, then one").isEqualTo(2);
            ParquetAssertions.assertExactly(ws.events(), Map.of(D1, sim.expectedLines(D1, true),
                    D2, sim.expectedLines(D2, true), D3, sim.expectedLines(D3, true)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void exportRerunAndLoadAreRefusedWhileAnotherRunHoldsTheLockStatusAndPlanAreNot(String vendor) throws Exception {
        try (MixpanelSimulator sim = simulator()) {
            ExportWorkspace ws = new ExportWorkspace(tmp, springProperties(stateStore(vendor)))
                    .job(sim.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth());
            ws.env.putAll(Map.of("IT_SA_USER", "lock-user", "IT_SA_SECRET", secret));
            String job = ws.jobFile.toString();
            assertThat(ws.run("status", "--job", job)).as(ws.lastErr).isZero(); // migrates the store

            javax.sql.DataSource ds = new org.springframework.jdbc.datasource.DriverManagerDataSource(
                    (String) ws.springProperties.get("spring.datasource.url"), vendor.equals("h2") ? "sa" : "postgres",
                    vendor.equals("h2") ? "" : "postgres");
            io.mixpanelpipelines.state.jdbc.JdbcJobLock other = new io.mixpanelpipelines.state.jdbc.JdbcJobLock(ds,
                    Duration.ofMinutes(2), Duration.ofSeconds(20));
            try (io.mixpanelpipelines.state.JobLock.Held held = other.acquire("it-events", Duration.ZERO)) {
                for (String[] args : List.of(new String[] {"export", "--job", job, "--from", "2026-01-01", "--to", "2026-01-01"},
                        new String[] {"rerun", "--job", job, "--partition", "2026-01-01", "--yes"},
                        new String[] {"load", "--job", job}, new String[] {"export", "--job", job, "--wait=1s"})) {
                    assertThat(ws.run(args)).as(String.join(" ", args) + ": " + ws.lastErr).isEqualTo(75);
                    assertThat(ws.lastErr.lines().toList()).singleElement().asString().startsWith(LOCKED)
                            .contains(", pid " + ProcessHandle.current().pid() + ", since ");
                }
                assertThat(ws.run("status", "--job", job)).as(ws.lastErr).isZero();
                assertThat(ws.run("plan", "--job", job, "--from", "2026-01-01", "--to", "2026-01-01")).as(ws.lastErr).isZero();
                assertThat(ws.run("export", "--job", job, "--wait=soon")).isEqualTo(2);
                assertThat(ws.lastErr).contains("--wait 'soon' is not a duration");
            }
            assertThat(sim.requestCount()).as("no command spent a request").isZero();
            assertThat(ws.export("2026-01-01", "2026-01-01")).as(ws.lastErr).isZero();
            assertThat(sim.requestCount()).isEqualTo(1);
        }
    }
}
