package io.mixpanelpipelines.state.jdbc;

import io.mixpanelpipelines.state.JobLock;
import io.mixpanelpipelines.state.JobLockedException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The job lock in table {@code mp_job_lock}, portable across H2 and PostgreSQL. Every lease is measured in
 * the database's time, never a host's, so holders on hosts with skewed clocks agree on when one ends. Taking
 * a lock is one statement that only succeeds on a free row (an insert) or on a row whose lease has run out
 * (an update with that condition), so two contenders never both win. A held lock's lease is renewed every
 * {@code heartbeat} by a daemon thread; a renewal that finds another holder's token marks the lock lost. A
 * renewal that fails (the state store out of reach) is tried again at the next beat: the lease is only lost
 * if the store stays away longer than the lease and another run takes the lock meanwhile.
 *
 * <p>Each holder also stores when its process started ({@code pid_started_at}). A contender on the holder's
 * host takes the lock over at once, lease or not, when the holder's process is gone: no process has its pid,
 * or the one that has it started at another instant (the pid was reused). Only when both start instants are
 * known; otherwise, and for a holder on another host, the lease decides. The takeover is conditional on the
 * dead holder's token, so two contenders never both win.
 */
public final class JdbcJobLock implements JobLock {

    private static final Logger log = LoggerFactory.getLogger(JdbcJobLock.class);
    private static final Duration POLL = Duration.ofSeconds(1);

    private final JdbcTemplate jdbc;
    private final Duration lease;
    private final Duration heartbeat;
    private final String host = hostName();
    private final long pid = ProcessHandle.current().pid();
    private final Long started = startOf(ProcessHandle.current());
    private final Map<String, HeldLock> held = new ConcurrentHashMap<>();

    /**
     * @param lease how long a lock outlives its last renewal
     * @param heartbeat how often a held lock is renewed: a fraction of {@code lease}, so that several
     *     renewals can fail before it runs out
     */
    public JdbcJobLock(DataSource dataSource, Duration lease, Duration heartbeat) {
        if (heartbeat.compareTo(lease) >= 0 || heartbeat.isNegative() || heartbeat.isZero()) {
            throw new IllegalArgumentException("the heartbeat (" + heartbeat + ") must be shorter than the lease (" + lease + ")");
        }
        this.jdbc = new JdbcTemplate(dataSource);
        this.lease = lease;
        this.heartbeat = heartbeat;
    }

    @Override
    public Held acquire(String jobName, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + Math.min(wait.toNanos(), Long.MAX_VALUE / 4);
        boolean told = false;
        while (true) {
            String token = UUID.randomUUID().toString();
            Optional<Holder> other = tryTake(jobName, token);
            if (other.isEmpty()) {
                HeldLock lock = new HeldLock(jobName, token);
                held.put(jobName, lock);
                return lock;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new JobLockedException(jobName, other.get());
            }
            if (!told) {
                log.info("waiting for the lock of job '{}', held by {}", jobName, other.get().describe());
                told = true;
            }
            Thread.sleep(Math.max(1, Math.min(POLL.toMillis(), TimeUnit.NANOSECONDS.toMillis(left))));
        }
    }

    @Override
    public boolean isHeld(String jobName) {
        HeldLock lock = held.get(jobName);
        return lock != null && !lock.lost();
    }

    @Override
    public Duration lease() {
        return lease;
    }

    /** The current holder of a job's lock, if any (its lease may have run out). */
    public Optional<Holder> holder(String jobName) {
        return jdbc.query("SELECT host, pid, acquired_at, lease_until FROM mp_job_lock WHERE job_name = ?",
                (rs, i) -> new Holder(rs.getString(1), rs.getLong(2),
                        rs.getObject(3, OffsetDateTime.class).toInstant().truncatedTo(ChronoUnit.SECONDS),
                        rs.getObject(4, OffsetDateTime.class).toInstant().truncatedTo(ChronoUnit.SECONDS)),
                jobName).stream().findFirst();
    }

    /** Takes the lock with {@code token}; empty when taken, else who holds it. */
    private Optional<Holder> tryTake(String jobName, String token) {
        while (true) {
            OffsetDateTime now = databaseNow();
            OffsetDateTime until = now.plus(lease);
            Optional<Holder> before = holder(jobName);
            if (before.isPresent()) {
                if (takeOverDead(jobName, token, now, until)) {
                    return Optional.empty();
                }
                int n = jdbc.update("UPDATE mp_job_lock SET token = ?, host = ?, pid = ?, pid_started_at = ?, acquired_at = ?, "
                        + "lease_until = ? WHERE job_name = ? AND lease_until < ?", token, host, pid, started, now, until,
                        jobName, now);
                if (n == 1) {
                    log.warn("took over the lock of job '{}': its holder ({}) stopped renewing it and its lease ran out at {}",
                            jobName, before.get().describe(), before.get().leaseUntil());
                    return Optional.empty();
                }
                Optional<Holder> current = holder(jobName);
                if (current.isPresent()) {
                    return current;
                }
                continue; // released meanwhile: try again
            }
            try {
                jdbc.update("INSERT INTO mp_job_lock (job_name, token, host, pid, pid_started_at, acquired_at, lease_until) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?)", jobName, token, host, pid, started, now, until);
                return Optional.empty();
            } catch (DuplicateKeyException taken) {
                // another contender inserted first: read who, or try again if it has gone already
            }
        }
    }

    /**
     * Takes the lock over from a holder on this host whose process is gone (see the class comment); false when
     * the holder is elsewhere, alive, not known well enough to tell, or changed meanwhile.
     */
    private boolean takeOverDead(String jobName, String token, OffsetDateTime now, OffsetDateTime until) {
        record Row(String token, String host, long pid, Long started) {
        }
        Optional<Row> row = jdbc.query("SELECT token, host, pid, pid_started_at FROM mp_job_lock WHERE job_name = ?",
                (rs, i) -> new Row(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getObject(4, Long.class)), jobName)
                .stream().findFirst();
        if (row.isEmpty() || !row.get().host().equals(host) || row.get().started() == null || started == null) {
            return false;
        }
        Row r = row.get();
        Optional<ProcessHandle> process = ProcessHandle.of(r.pid());
        boolean gone = process.isEmpty() || !process.get().isAlive();
        if (!gone) {
            Long live = startOf(process.get());
            if (live == null || live.equals(r.started())) {
                return false; // alive, or cannot be told from the holder
            }
        }
        int n = jdbc.update("UPDATE mp_job_lock SET token = ?, host = ?, pid = ?, pid_started_at = ?, acquired_at = ?, "
                + "lease_until = ? WHERE job_name = ? AND token = ?", token, host, pid, started, now, until, jobName, r.token());
        if (n == 1) {
            log.warn("took over the lock of job '{}' at once: its holder (host {}, pid {}) is no longer running on this host",
                    jobName, r.host(), r.pid());
        }
        return n == 1;
    }

    /** When {@code process} started, in epoch milliseconds, or null when the operating system does not say. */
    private static Long startOf(ProcessHandle process) {
        return process.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(null);
    }

    private OffsetDateTime databaseNow() {
        return jdbc.queryForObject("SELECT CURRENT_TIMESTAMP", OffsetDateTime.class);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            String env = System.getenv("HOSTNAME");
            return env != null ? env : "unknown";
        }
    }

    /** A held lock and its heartbeat. */
    private final class HeldLock implements Held {
        private final String jobName;
        private final String token;
        private final ScheduledExecutorService beat;
        private volatile boolean lost;
        private volatile boolean closed;

        HeldLock(String jobName, String token) {
            this.jobName = jobName;
            this.token = token;
            this.beat = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "job-lock-heartbeat");
                t.setDaemon(true);
                return t;
            });
            beat.scheduleWithFixedDelay(this::renew, heartbeat.toMillis(), heartbeat.toMillis(), TimeUnit.MILLISECONDS);
        }

        private void renew() {
            if (lost || closed) {
                return;
            }
            try {
                OffsetDateTime now = databaseNow();
                int n = jdbc.update("UPDATE mp_job_lock SET lease_until = ? WHERE job_name = ? AND token = ?",
                        now.plus(lease), jobName, token);
                if (n == 0 && !closed) {
                    lost = true;
                    log.error("lost the lock of job '{}': its lease ran out while it could not be renewed, and {} took it",
                            jobName, holder(jobName).map(Holder::describe).orElse("another run"));
                }
            } catch (DataAccessException e) {
                // the state store is away: the lease lasts a while yet; the next beat tries again
                log.warn("could not renew the lock of job '{}' (tried again in {}s): {}", jobName, heartbeat.toSeconds(),
                        e.getMostSpecificCause().getMessage());
            }
        }

        @Override
        public boolean lost() {
            return lost;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            beat.shutdownNow();
            held.remove(jobName, this);
            try {
                jdbc.update("DELETE FROM mp_job_lock WHERE job_name = ? AND token = ?", jobName, token);
            } catch (DataAccessException e) {
                log.warn("could not release the lock of job '{}'; it is free again when its lease runs out: {}", jobName,
                        e.getMostSpecificCause().getMessage());
            }
        }
    }
}
