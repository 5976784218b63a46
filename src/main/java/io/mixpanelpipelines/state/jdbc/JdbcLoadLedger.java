package io.mixpanelpipelines.state.jdbc;

import io.mixpanelpipelines.state.LoadLedger;
import io.mixpanelpipelines.state.LoadRecord;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/** The load ledger in table {@code mp_warehouse_load}, portable across H2 and PostgreSQL. Thread-safe. */
public final class JdbcLoadLedger implements LoadLedger {

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;

    public JdbcLoadLedger(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    @Override
    public Optional<LoadRecord> find(String jobName, LocalDate day, String target) {
        return jdbc.query("SELECT * FROM mp_warehouse_load WHERE job_name = ? AND event_date = ? AND target = ?",
                this::map, jobName, day, target).stream().findFirst();
    }

    @Override
    public List<LoadRecord> list(String jobName, String target) {
        return jdbc.query("SELECT * FROM mp_warehouse_load WHERE job_name = ? AND target = ? ORDER BY event_date",
                this::map, jobName, target);
    }

    @Override
    public void loaded(LoadRecord r) {
        // delete + insert in one transaction: portable, and a day is loaded by one process at a time
        tx.executeWithoutResult(s -> {
            jdbc.update("DELETE FROM mp_warehouse_load WHERE job_name = ? AND event_date = ? AND target = ?",
                    r.jobName(), r.day(), r.target());
            jdbc.update("INSERT INTO mp_warehouse_load (job_name, event_date, target, run_id, content_hash, rows_loaded, "
                    + "millis, loaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", r.jobName(), r.day(), r.target(), r.runId(),
                    r.contentHash(), r.rows(), r.millis(), OffsetDateTime.ofInstant(r.loadedAt(), ZoneOffset.UTC));
        });
    }

    private LoadRecord map(ResultSet rs, int row) throws SQLException {
        return new LoadRecord(rs.getString("job_name"), rs.getObject("event_date", LocalDate.class),
                rs.getString("target"), rs.getString("run_id"), rs.getString("content_hash"), rs.getLong("rows_loaded"),
                rs.getLong("millis"), rs.getObject("loaded_at", OffsetDateTime.class).toInstant());
    }
}
