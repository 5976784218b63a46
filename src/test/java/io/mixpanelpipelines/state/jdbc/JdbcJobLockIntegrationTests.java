package io.mixpanelpipelines.state.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mixpanelpipelines.state.JobLock;
import io.mixpanelpipelines.state.JobLockedException;
import io.mixpanelpipelines.support.TestStateStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.jdbc.core.JdbcTemplate;

/** The job lock on both state stores: one holder, its heartbeat, a dead holder's lease, a lost lease. */
class JdbcJobLockIntegrationTests {

    @TempDir
    Path tmp;

    private DataSource store(String vendor) {
        DataSource ds = TestStateStore.empty(vendor, tmp);
        TestStateStore.flyway(ds, vendor).migrate();
        return ds;
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aSecondRunIsRefusedWithTheHolderUntilTheFirstReleases(String vendor) throws Exception {
        DataSource ds = store(vendor);
        JdbcJobLock first = new JdbcJobLock(ds, Duration.ofMinutes(2), Duration.ofSeconds(20));
        JdbcJobLock second = new JdbcJobLock(ds, Duration.ofMinutes(2), Duration.ofSeconds(20));

        JobLock.Held held = first.acquire("job-a", Duration.ZERO);
        assertThat(first.isHeld("job-a")).isTrue();
        assertThat(second.isHeld("job-a")).isFalse();
        assertThatThrownBy(() -> second.acquire("job-a", Duration.ZERO))
                .isInstanceOf(JobLockedException.class)
                .hasMessageStartingWith("job 'job-a' is locked by another run (host ")
                .hasMessageContaining(", pid " + ProcessHandle.current().pid() + ", since ");
        try (JobLock.Held other = second.acquire("job-b", Duration.ZERO)) {
            assertThat(other.lost()).as("another job's lock is another lock").isFalse();
        }

        held.close();
        assertThat(first.isHeld("job-a")).isFalse();
        try (JobLock.Held again = second.acquire("job-a", Duration.ZERO)) {
            assertThat(second.isHeld("job-a")).isTrue();
        }
        assertThat(new JdbcTemplate(ds).queryForObject("SELECT COUNT(*) FROM mp_job_lock", Integer.class)).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void contendersAtOnceGetOneHolder(String vendor) throws Exception {
        DataSource ds = store(vendor);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<JobLock.Held>> tries = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                JdbcJobLock lock = new JdbcJobLock(ds, Duration.ofMinutes(2), Duration.ofSeconds(20));
                tries.add(() -> {
                    try {
                        return lock.acquire("job-a", Duration.ZERO);
                    } catch (JobLockedException e) {
                        return null;
                    }
                });
            }
            List<JobLock.Held> winners = new ArrayList<>();
            for (Future<JobLock.Held> f : pool.invokeAll(tries)) {
                if (f.get() != null) {
                    winners.add(f.get());
                }
            }
            assertThat(winners).hasSize(1);
            winners.get(0).close();
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void theHeartbeatKeepsTheLockPastItsLease(String vendor) throws Exception {
        DataSource ds = store(vendor);
        JdbcJobLock holder = new JdbcJobLock(ds, Duration.ofMillis(1500), Duration.ofMillis(250));
        JdbcJobLock other = new JdbcJobLock(ds, Duration.ofMillis(1500), Duration.ofMillis(250));
        try (JobLock.Held held = holder.acquire("job-a", Duration.ZERO)) {
            long end = System.nanoTime() + Duration.ofMillis(3500).toNanos();
            while (System.nanoTime() < end) {
                assertThatThrownBy(() -> other.acquire("job-a", Duration.ZERO)).isInstanceOf(JobLockedException.class);
                Thread.sleep(200);
            }
            assertThat(held.lost()).isFalse();
        }
    }

    /** A process that ran on this host and has ended: its pid and start instant (epoch ms). */
    private static long[] endedProcess() throws Exception {
        // alive until its start instant is read: a process that has already exited may have none to tell
        Process p = new ProcessBuilder("sleep", "30").start();
        long start = p.info().startInstant().orElseThrow().toEpochMilli();
        p.destroy();
        assertThat(p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        return new long[] {p.pid(), start};
    }

    private static String thisHost() throws Exception {
        return java.net.InetAddress.getLocalHost().getHostName();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aHolderOnThisHostWhoseProcessIsGoneOrWhosePidWasReusedIsTakenOverAtOnce(String vendor) throws Exception {
        DataSource ds = store(vendor);
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        OffsetDateTime now = jdbc.queryForObject("SELECT CURRENT_TIMESTAMP", OffsetDateTime.class);
        long[] ended = endedProcess();
        String insert = "INSERT INTO mp_job_lock (job_name, token, host, pid, pid_started_at, acquired_at, lease_until) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?)";
        jdbc.update(insert, "job-a", "dead", thisHost(), ended[0], ended[1], now, now.plusMinutes(2));
        // this process's pid, with another start instant: what a reused pid looks like
        long self = ProcessHandle.current().pid();
        long selfStart = ProcessHandle.current().info().startInstant().orElseThrow().toEpochMilli();
        jdbc.update(insert, "job-b", "reused", thisHost(), self, selfStart - 60_000, now, now.plusMinutes(2));
        // the start unknown (a row of an older version): only the lease decides
        jdbc.update(insert, "job-c", "unknown", thisHost(), ended[0], null, now, now.plusMinutes(2));
        JdbcJobLock next = new JdbcJobLock(ds, Duration.ofMinutes(2), Duration.ofSeconds(20));

        long t0 = System.nanoTime();
        try (JobLock.Held a = next.acquire("job-a", Duration.ZERO); JobLock.Held b = next.acquire("job-b", Duration.ZERO)) {
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("no wait for the lease").isLessThan(Duration.ofSeconds(5));
            assertThat(next.holder("job-a")).get().extracting(JobLock.Holder::pid).isEqualTo(self);
            assertThat(jdbc.queryForObject("SELECT pid_started_at FROM mp_job_lock WHERE job_name = 'job-b'", Long.class))
                    .isEqualTo(selfStart);
        }
        assertThatThrownBy(() -> next.acquire("job-c", Duration.ZERO)).isInstanceOf(JobLockedException.class)
                .hasMessageContaining(", pid " + ended[0] + ", since ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aLiveHolderOnThisHostAndADeadOneOnAnotherHostStillBlock(String vendor) throws Exception {
        DataSource ds = store(vendor);
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        OffsetDateTime now = jdbc.queryForObject("SELECT CURRENT_TIMESTAMP", OffsetDateTime.class);
        long[] ended = endedProcess();
        Process alive = new ProcessBuilder("sleep", "30").start();
        try {
            String insert = "INSERT INTO mp_job_lock (job_name, token, host, pid, pid_started_at, acquired_at, lease_until) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?)";
            jdbc.update(insert, "job-a", "elsewhere", "other-host", ended[0], ended[1], now, now.plusMinutes(2));
            jdbc.update(insert, "job-b", "alive", thisHost(), alive.pid(),
                    alive.info().startInstant().orElseThrow().toEpochMilli(), now, now.plusMinutes(2));
            JdbcJobLock next = new JdbcJobLock(ds, Duration.ofMinutes(2), Duration.ofSeconds(20));

            assertThatThrownBy(() -> next.acquire("job-a", Duration.ZERO)).isInstanceOf(JobLockedException.class)
                    .hasMessageContaining("(host other-host, pid " + ended[0] + ", since ");
            assertThatThrownBy(() -> next.acquire("job-b", Duration.ZERO)).isInstanceOf(JobLockedException.class)
                    .hasMessageContaining(", pid " + alive.pid() + ", since ");
        } finally {
            alive.destroyForcibly();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aDeadHoldersLockIsTakenOverOnceItsLeaseHasRunOut(String vendor) throws Exception {
        DataSource ds = store(vendor);
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        OffsetDateTime now = jdbc.queryForObject("SELECT CURRENT_TIMESTAMP", OffsetDateTime.class);
        // what a holder killed with kill -9 leaves: its row, renewed for the last time a moment ago
        jdbc.update("INSERT INTO mp_job_lock (job_name, token, host, pid, acquired_at, lease_until) VALUES (?, ?, ?, ?, ?, ?)",
                "job-a", "dead", "gone-host", 4242L, now.minusMinutes(5), now.plusSeconds(2));
        JdbcJobLock next = new JdbcJobLock(ds, Duration.ofMinutes(2), Duration.ofSeconds(20));

        assertThatThrownBy(() -> next.acquire("job-a", Duration.ZERO))
                .hasMessageContaining("(host gone-host, pid 4242, since ");
        long t0 = System.nanoTime();
        try (JobLock.Held held = next.acquire("job-a", Duration.ofSeconds(30))) {
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("waited for the lease to run out")
                    .isGreaterThan(Duration.ofMillis(500)).isLessThan(Duration.ofSeconds(10));
            assertThat(next.holder("job-a")).get().extracting(JobLock.Holder::pid).isEqualTo(ProcessHandle.current().pid());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aHolderWhoseLockWasTakenOverKnowsItLostIt(String vendor) throws Exception {
        DataSource ds = store(vendor);
        JdbcJobLock lock = new JdbcJobLock(ds, Duration.ofSeconds(2), Duration.ofMillis(100));
        JobLock.Held held = lock.acquire("job-a", Duration.ZERO);
        // another run took it over while this holder could not renew (the state store was away)
        new JdbcTemplate(ds).update("UPDATE mp_job_lock SET token = 'other', host = 'other-host' WHERE job_name = 'job-a'");
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!held.lost() && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertThat(held.lost()).isTrue();
        assertThat(lock.isHeld("job-a")).isFalse();
        held.close();
        assertThat(lock.holder("job-a")).as("releasing a lost lock leaves the new holder's").get()
                .extracting(JobLock.Holder::host).isEqualTo("other-host");
    }
}
