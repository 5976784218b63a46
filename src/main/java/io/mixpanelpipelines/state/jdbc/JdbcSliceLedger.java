package io.mixpanelpipelines.state.jdbc;

import io.mixpanelpipelines.state.SliceLedger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The slice ledger in tables {@code mp_sliced_day} and {@code mp_day_slice}, portable across H2 and
 * PostgreSQL. {@link #opened} creates the day's row, on its own (two slices inserting it at once in their
 * chunk transactions would abort one on PostgreSQL); {@link #staged} joins the slice's chunk transaction,
 * so its record commits with the slice's last checkpoint, and locks the day's row first
 * ({@code SELECT ... FOR UPDATE}): a second slice staged at the same moment waits for the first one's commit
 * (milliseconds: only the assembling slice publishes while it holds the lock, and no other slice of its
 * day is left to wait) and then sees it. Thread-safe.
 */
public final class JdbcSliceLedger implements SliceLedger {

    /** Attempts at the day's lock before a slice gives up (H2: about a second each). */
    private static final int LOCK_ATTEMPTS = 60;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final TransactionTemplate own;

    public JdbcSliceLedger(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.own = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.own.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    @Override
    public void opened(String jobName, LocalDate day, long jobInstanceId) {
        // in a transaction of its own: on PostgreSQL a duplicate key aborts the transaction it happens in
        own.executeWithoutResult(status -> {
            if (!insertDay(jobName, day, jobInstanceId)) {
                status.setRollbackOnly(); // nothing to keep, and PostgreSQL would refuse to commit it
            }
        });
    }

    /** Inserts the day's row unless it is there; false when another slice inserted it at the same moment. */
    private boolean insertDay(String jobName, LocalDate day, long jobInstanceId) {
        try {
            jdbc.update("INSERT INTO mp_sliced_day (job_name, event_date, job_instance_id) SELECT ?, ?, ? "
                    + "WHERE NOT EXISTS (SELECT 1 FROM mp_sliced_day WHERE job_name = ? AND event_date = ?)",
                    jobName, day, jobInstanceId, jobName, day);
        } catch (DuplicateKeyException raced) {
            return false; // another slice inserted it first: fine
        }
        return true;
    }

    @Override
    public boolean staged(String jobName, LocalDate day, long jobInstanceId, StagedSlice s, int sliceCount) {
        return Boolean.TRUE.equals(tx.execute(status -> {
            List<Object[]> row = lockDay(jobName, day);
            if (row.isEmpty()) { // opened by an older version, or forgotten by a rerun since: rare, never concurrent
                insertDay(jobName, day, jobInstanceId);
                row = lockDay(jobName, day);
            }
            String assembler = (long) row.get(0)[0] == jobInstanceId ? (String) row.get(0)[1] : null;
            jdbc.update("DELETE FROM mp_day_slice WHERE job_name = ? AND event_date = ? AND (slice_label = ? "
                    + "OR job_instance_id <> ?)", jobName, day, s.slice(), jobInstanceId);
            jdbc.update("INSERT INTO mp_day_slice (job_name, event_date, slice_label, job_instance_id, run_id, parts, "
                    + "hash_sum, rejected_lines, first_rejection, repaired_lines, body_lines, decoded_bytes, completed_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", jobName, day, s.slice(), jobInstanceId, s.runId(),
                    s.parts(), s.hashSum(), s.rejectedLines(), s.firstRejection(), s.repairedLines(), s.bodyLines(),
                    s.decodedBytes(), OffsetDateTime.ofInstant(s.completedAt(), ZoneOffset.UTC));
            Integer staged = jdbc.queryForObject("SELECT COUNT(*) FROM mp_day_slice WHERE job_name = ? AND event_date = ? "
                    + "AND job_instance_id = ?", Integer.class, jobName, day, jobInstanceId);
            boolean assembles = staged != null && staged >= sliceCount && (assembler == null || assembler.equals(s.slice()));
            jdbc.update("UPDATE mp_sliced_day SET job_instance_id = ?, assembler = ? WHERE job_name = ? AND event_date = ?",
                    jobInstanceId, assembles ? s.slice() : assembler, jobName, day);
            return assembles;
        }));
    }

    /**
     * Locks the day's row. H2 gives a lock up after its lock timeout (1 s by default) where PostgreSQL waits:
     * the slice holding it commits within milliseconds, but a machine busy enough may take longer.
     */
    private List<Object[]> lockDay(String jobName, LocalDate day) {
        for (int attempt = 1; ; attempt++) {
            try {
                return jdbc.query("SELECT job_instance_id, assembler FROM mp_sliced_day WHERE job_name = ? "
                        + "AND event_date = ? FOR UPDATE", (rs, n) -> new Object[] {rs.getLong(1), rs.getString(2)},
                        jobName, day);
            } catch (PessimisticLockingFailureException e) {
                if (attempt >= LOCK_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    @Override
    public List<StagedSlice> list(String jobName, LocalDate day, long jobInstanceId) {
        return jdbc.query("SELECT * FROM mp_day_slice WHERE job_name = ? AND event_date = ? AND job_instance_id = ? "
                + "ORDER BY slice_label", this::map, jobName, day, jobInstanceId);
    }

    @Override
    public void assembled(String jobName, LocalDate day) {
        jdbc.update("DELETE FROM mp_day_slice WHERE job_name = ? AND event_date = ?", jobName, day);
        jdbc.update("DELETE FROM mp_sliced_day WHERE job_name = ? AND event_date = ?", jobName, day);
    }

    private StagedSlice map(ResultSet rs, int row) throws SQLException {
        return new StagedSlice(rs.getString("slice_label"), rs.getString("run_id"), rs.getString("parts"),
                rs.getLong("hash_sum"), rs.getLong("rejected_lines"), rs.getString("first_rejection"),
                rs.getLong("repaired_lines"), rs.getLong("body_lines"), rs.getLong("decoded_bytes"),
                rs.getObject("completed_at", OffsetDateTime.class).toInstant());
    }
}
