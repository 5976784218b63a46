package io.mixpanelpipelines.state.jdbc;

import io.mixpanelpipelines.state.WorkerRegistry;
import java.net.InetAddress;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@link WorkerRegistry} in tables {@code mp_worker} and {@code mp_worker_partition} (migration V71),
 * portable across H2 and PostgreSQL; every time is the database's ({@code CURRENT_TIMESTAMP}). A partition
 * is abandoned when its step execution in Spring Batch's {@code BATCH_STEP_EXECUTION} is still STARTING or
 * STARTED while its worker's row is missing or older than the silence allowed.
 */
public final class JdbcWorkerRegistry implements WorkerRegistry {

    private final JdbcTemplate jdbc;
    private final String host = hostName();
    private final long pid = ProcessHandle.current().pid();

    public JdbcWorkerRegistry(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
    }

    @Override
    public void register(String workerId) {
        OffsetDateTime now = now();
        if (jdbc.update("UPDATE mp_worker SET host = ?, pid = ?, started_at = ?, last_seen = ? WHERE worker_id = ?",
                host, pid, now, now, workerId) == 0) {
            jdbc.update("INSERT INTO mp_worker (worker_id, host, pid, started_at, last_seen) VALUES (?, ?, ?, ?, ?)",
                    workerId, host, pid, now, now);
        }
    }

    @Override
    public void beat(String workerId) {
        if (jdbc.update("UPDATE mp_worker SET last_seen = ? WHERE worker_id = ?", now(), workerId) == 0) {
            register(workerId);
        }
    }

    @Override
    public void deregister(String workerId) {
        jdbc.update("DELETE FROM mp_worker WHERE worker_id = ?", workerId);
    }

    @Override
    public void claim(long stepExecutionId, String workerId, String partitionName) {
        // a restarted partition is a new step execution: one claim per execution, never updated
        jdbc.update("INSERT INTO mp_worker_partition (step_execution_id, worker_id, partition_name, started_at) "
                + "VALUES (?, ?, ?, ?)", stepExecutionId, workerId, partitionName, now());
    }

    @Override
    public List<Long> abandonedPartitions(long jobExecutionId, Duration silence) {
        OffsetDateTime before = now().minus(silence);
        return jdbc.queryForList("SELECT s.STEP_EXECUTION_ID FROM BATCH_STEP_EXECUTION s "
                + "JOIN mp_worker_partition p ON p.step_execution_id = s.STEP_EXECUTION_ID "
                + "LEFT JOIN mp_worker w ON w.worker_id = p.worker_id "
                + "WHERE s.JOB_EXECUTION_ID = ? AND s.STATUS IN ('STARTING', 'STARTED') "
                + "AND (w.worker_id IS NULL OR w.last_seen < ?) ORDER BY s.STEP_EXECUTION_ID",
                Long.class, jobExecutionId, before);
    }

    @Override
    public List<Long> livePartitions(long jobExecutionId, Duration silence) {
        return jdbc.queryForList("SELECT s.STEP_EXECUTION_ID FROM BATCH_STEP_EXECUTION s "
                + "JOIN mp_worker_partition p ON p.step_execution_id = s.STEP_EXECUTION_ID "
                + "JOIN mp_worker w ON w.worker_id = p.worker_id "
                + "WHERE s.JOB_EXECUTION_ID = ? AND s.STATUS IN ('STARTING', 'STARTED') AND w.last_seen >= ? "
                + "ORDER BY s.STEP_EXECUTION_ID", Long.class, jobExecutionId, now().minus(silence));
    }

    @Override
    public List<Claim> claims(long jobExecutionId) {
        return jdbc.query("SELECT p.step_execution_id, p.partition_name, p.worker_id FROM mp_worker_partition p "
                + "JOIN BATCH_STEP_EXECUTION s ON s.STEP_EXECUTION_ID = p.step_execution_id "
                + "WHERE s.JOB_EXECUTION_ID = ? ORDER BY p.step_execution_id",
                (rs, i) -> new Claim(rs.getLong(1), rs.getString(2), rs.getString(3)), jobExecutionId);
    }

    private OffsetDateTime now() {
        return jdbc.queryForObject("SELECT CURRENT_TIMESTAMP", OffsetDateTime.class);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
