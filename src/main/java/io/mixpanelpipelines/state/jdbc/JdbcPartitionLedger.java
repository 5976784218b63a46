package io.mixpanelpipelines.state.jdbc;

import io.mixpanelpipelines.state.PartitionLedger;
import io.mixpanelpipelines.state.PartitionRecord;
import io.mixpanelpipelines.state.PartitionState;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/** The partition ledger in table {@code mp_partition}, portable across H2 and PostgreSQL. Thread-safe. */
public final class JdbcPartitionLedger implements PartitionLedger {

    private static final int MAX_ERROR = 2000;

    private final JdbcTemplate jdbc;
    private final java.time.Clock clock;

    public JdbcPartitionLedger(DataSource dataSource) {
        this(dataSource, java.time.Clock.systemUTC());
    }

    /** With the clock that stamps {@code updated_at} and {@code published_at} (the one planning compares them with). */
    public JdbcPartitionLedger(DataSource dataSource, java.time.Clock clock) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.clock = clock;
    }

    @Override
    public Optional<PartitionRecord> find(String jobName, LocalDate day) {
        return jdbc.query("SELECT * FROM mp_partition WHERE job_name = ? AND event_date = ?", this::map, jobName, day)
                .stream().findFirst();
    }

    @Override
    public List<PartitionRecord> list(String jobName) {
        return jdbc.query("SELECT * FROM mp_partition WHERE job_name = ? ORDER BY event_date", this::map, jobName);
    }

    @Override
    public void started(String jobName, LocalDate day, String runId) {
        upsert(jobName, day);
        // a published day being re-fetched for late data stays published until its replacement is
        jdbc.update("UPDATE mp_partition SET state = CASE WHEN state = ? THEN state ELSE ? END, attempts = attempts + 1, "
                + "run_id = ?, updated_at = ? WHERE job_name = ? AND event_date = ?", PartitionState.PUBLISHED.name(),
                PartitionState.RUNNING.name(), runId, now(), jobName, day);
    }

    @Override
    public void published(String jobName, LocalDate day, String runId, long rows, int files, long bytes,
            long rejectedLines, long sourceBytes, String contentHash) {
        upsert(jobName, day);
        OffsetDateTime now = now();
        jdbc.update("UPDATE mp_partition SET state = ?, rows_count = ?, files_count = ?, bytes_count = ?, "
                + "rejected_lines = ?, last_error = NULL, run_id = ?, updated_at = ?, published_at = ?, "
                + "source_bytes = ?, content_hash = ? WHERE job_name = ? AND event_date = ?",
                PartitionState.PUBLISHED.name(), rows, files, bytes, rejectedLines, runId, now, now, sourceBytes,
                contentHash, jobName, day);
    }

    @Override
    public void unchanged(String jobName, LocalDate day, String runId) {
        jdbc.update("UPDATE mp_partition SET state = ?, last_error = NULL, updated_at = ? WHERE job_name = ? AND event_date = ?",
                PartitionState.PUBLISHED.name(), now(), jobName, day);
    }

    @Override
    public void deferred(String jobName, Collection<LocalDate> days, String runId, String reason) {
        for (LocalDate day : days) {
            upsert(jobName, day);
            // a published day stays published: deferring its late-data re-fetch loses nothing
            jdbc.update("UPDATE mp_partition SET state = CASE WHEN state = ? THEN state ELSE ? END, last_error = ?, "
                    + "updated_at = ? WHERE job_name = ? AND event_date = ?", PartitionState.PUBLISHED.name(),
                    PartitionState.DEFERRED.name(), shorten(reason), now(), jobName, day);
        }
    }

    @Override
    public void failed(String jobName, LocalDate day, String runId, String error) {
        upsert(jobName, day);
        // a published day whose re-fetch failed keeps its files and its state; the error is still shown
        jdbc.update("UPDATE mp_partition SET state = CASE WHEN state = ? THEN state ELSE ? END, last_error = ?, "
                + "run_id = ?, updated_at = ? WHERE job_name = ? AND event_date = ?", PartitionState.PUBLISHED.name(),
                PartitionState.FAILED.name(), shorten(error), runId, now(), jobName, day);
    }

    @Override
    public void requestRerun(String jobName, Collection<LocalDate> days) {
        for (LocalDate day : days) {
            upsert(jobName, day);
            jdbc.update("UPDATE mp_partition SET state = ?, updated_at = ? WHERE job_name = ? AND event_date = ?",
                    PartitionState.RERUN_REQUESTED.name(), now(), jobName, day);
        }
    }

    private static String shorten(String error) {
        String e = error == null ? "unknown error" : error;
        return e.length() > MAX_ERROR ? e.substring(0, MAX_ERROR - 3) + "..." : e;
    }

    private void upsert(String jobName, LocalDate day) {
        // insert-if-absent that works on H2 and PostgreSQL alike; the primary key settles races
        try {
            jdbc.update("INSERT INTO mp_partition (job_name, event_date, state, updated_at) "
                    + "SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM mp_partition WHERE job_name = ? AND event_date = ?)",
                    jobName, day, PartitionState.RUNNING.name(), now(), jobName, day);
        } catch (org.springframework.dao.DuplicateKeyException raced) {
            // another worker inserted it first: fine
        }
    }

    private PartitionRecord map(ResultSet rs, int row) throws SQLException {
        return new PartitionRecord(rs.getString("job_name"), rs.getObject("event_date", LocalDate.class),
                PartitionState.valueOf(rs.getString("state")), rs.getLong("rows_count"), rs.getInt("files_count"),
                rs.getLong("bytes_count"), rs.getLong("rejected_lines"), rs.getInt("attempts"),
                rs.getString("last_error"), rs.getString("run_id"), instant(rs, "updated_at"),
                instant(rs, "published_at"), rs.getLong("source_bytes"), rs.getString("content_hash"));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private OffsetDateTime now() {
        return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    }
}
