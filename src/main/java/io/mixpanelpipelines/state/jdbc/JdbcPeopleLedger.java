package io.mixpanelpipelines.state.jdbc;

import io.mixpanelpipelines.state.PeopleLedger;
import io.mixpanelpipelines.state.PeopleQueryRecord;
import io.mixpanelpipelines.state.PeopleSnapshotRecord;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The people ledger in tables {@code mp_people_snapshot} and {@code mp_people_query}, portable across H2
 * and PostgreSQL. A split replaces a query by its parts in one transaction, so a crash never leaves both or
 * neither. Thread-safe.
 */
public final class JdbcPeopleLedger implements PeopleLedger {

    private static final String KEY = "job_name = ? AND dataset = ? AND snapshot_date = ?";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;

    public JdbcPeopleLedger(DataSource dataSource, Clock clock) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.clock = clock;
    }

    @Override
    public Optional<PeopleSnapshotRecord> inProgress(String job, String dataset) {
        return jdbc.query("SELECT * FROM mp_people_snapshot WHERE job_name = ? AND dataset = ? AND state = 'RUNNING' "
                + "ORDER BY snapshot_date DESC", this::snapshot, job, dataset).stream().findFirst();
    }

    @Override
    public Optional<PeopleSnapshotRecord> lastPublished(String job, String dataset) {
        return jdbc.query("SELECT * FROM mp_people_snapshot WHERE job_name = ? AND dataset = ? AND state = 'PUBLISHED' "
                + "ORDER BY snapshot_date DESC", this::snapshot, job, dataset).stream().findFirst();
    }

    @Override
    public List<PeopleSnapshotRecord> list(String job) {
        return jdbc.query("SELECT * FROM mp_people_snapshot WHERE job_name = ? ORDER BY snapshot_date DESC, dataset",
                this::snapshot, job);
    }

    @Override
    public void start(String job, String dataset, LocalDate date, String changesSince, Instant startedAt, String runId,
            List<PeopleQueryRecord> queries) {
        tx.executeWithoutResult(status -> {
            // a snapshot of the same day published earlier (files since deleted, or a rerun) is started afresh
            jdbc.update("DELETE FROM mp_people_query WHERE " + KEY, job, dataset, date);
            jdbc.update("DELETE FROM mp_people_snapshot WHERE " + KEY, job, dataset, date);
            jdbc.update("INSERT INTO mp_people_snapshot (job_name, dataset, snapshot_date, state, changes_since, started_at, "
                    + "run_id, updated_at) VALUES (?, ?, ?, 'RUNNING', ?, ?, ?, ?)", job, dataset, date, changesSince,
                    utc(startedAt), runId, now());
            insert(job, dataset, date, 0, queries);
        });
    }

    private void insert(String job, String dataset, LocalDate date, int firstNo, List<PeopleQueryRecord> queries) {
        int no = firstNo;
        for (PeopleQueryRecord q : queries) {
            jdbc.update("INSERT INTO mp_people_query (job_name, dataset, snapshot_date, query_no, lower_bound, upper_bound, "
                    + "unset, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", job, dataset, date, no++, q.lower(), q.upper(),
                    q.unset(), PeopleQueryRecord.PENDING);
        }
    }

    @Override
    public List<PeopleQueryRecord> queries(String job, String dataset, LocalDate date) {
        return jdbc.query("SELECT * FROM mp_people_query WHERE " + KEY + " ORDER BY query_no", JdbcPeopleLedger::query,
                job, dataset, date);
    }

    @Override
    public void pageDone(String job, String dataset, LocalDate date, int queryNo, int pagesDone, long rowsDone, long total,
            String sessionId) {
        jdbc.update("UPDATE mp_people_query SET pages_done = ?, rows_done = ?, total = ?, session_id = ? WHERE " + KEY
                + " AND query_no = ?", pagesDone, rowsDone, total, sessionId, job, dataset, date, queryNo);
        touch(job, dataset, date);
    }

    @Override
    public void queryDone(String job, String dataset, LocalDate date, int queryNo) {
        jdbc.update("UPDATE mp_people_query SET state = ?, session_id = NULL WHERE " + KEY + " AND query_no = ?",
                PeopleQueryRecord.DONE, job, dataset, date, queryNo);
    }

    @Override
    public void queryRestarted(String job, String dataset, LocalDate date, int queryNo) {
        jdbc.update("UPDATE mp_people_query SET pages_done = 0, rows_done = 0, total = -1, session_id = NULL WHERE " + KEY
                + " AND query_no = ?", job, dataset, date, queryNo);
    }

    @Override
    public void querySplit(String job, String dataset, LocalDate date, int queryNo, List<PeopleQueryRecord> parts) {
        tx.executeWithoutResult(status -> {
            Integer max = jdbc.queryForObject("SELECT MAX(query_no) FROM mp_people_query WHERE " + KEY, Integer.class,
                    job, dataset, date);
            jdbc.update("UPDATE mp_people_query SET state = ?, pages_done = 0, rows_done = 0, session_id = NULL WHERE "
                    + KEY + " AND query_no = ?", PeopleQueryRecord.SPLIT, job, dataset, date, queryNo);
            insert(job, dataset, date, max == null ? 0 : max + 1, parts);
        });
    }

    @Override
    public void published(String job, String dataset, LocalDate date, String runId, long rows, int files, long bytes) {
        jdbc.update("UPDATE mp_people_snapshot SET state = 'PUBLISHED', rows_count = ?, files_count = ?, bytes_count = ?, "
                + "run_id = ?, updated_at = ?, published_at = ? WHERE " + KEY, rows, files, bytes, runId, now(), now(), job,
                dataset, date);
    }

    private void touch(String job, String dataset, LocalDate date) {
        jdbc.update("UPDATE mp_people_snapshot SET updated_at = ? WHERE " + KEY, now(), job, dataset, date);
    }

    private PeopleSnapshotRecord snapshot(ResultSet rs, int row) throws SQLException {
        OffsetDateTime published = rs.getObject("published_at", OffsetDateTime.class);
        return new PeopleSnapshotRecord(rs.getString("job_name"), rs.getString("dataset"),
                rs.getObject("snapshot_date", LocalDate.class), "PUBLISHED".equals(rs.getString("state")),
                rs.getString("changes_since"), rs.getObject("started_at", OffsetDateTime.class).toInstant(),
                rs.getLong("rows_count"), rs.getInt("files_count"), rs.getLong("bytes_count"),
                published == null ? null : published.toInstant());
    }

    private static PeopleQueryRecord query(ResultSet rs, int row) throws SQLException {
        return new PeopleQueryRecord(rs.getInt("query_no"), rs.getString("lower_bound"), rs.getString("upper_bound"),
                rs.getBoolean("unset"), rs.getString("state"), rs.getLong("total"), rs.getInt("pages_done"),
                rs.getLong("rows_done"), rs.getString("session_id"));
    }

    private OffsetDateTime now() {
        return utc(clock.instant());
    }

    private static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }
}
