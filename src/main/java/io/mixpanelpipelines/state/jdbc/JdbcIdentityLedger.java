package io.mixpanelpipelines.state.jdbc;

import io.mixpanelpipelines.state.IdentityLedger;
import io.mixpanelpipelines.state.IdentityRecord;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The identity ledger in table {@code mp_identity_day}, portable across H2 and PostgreSQL. Thread-safe. */
public final class JdbcIdentityLedger implements IdentityLedger {

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;

    public JdbcIdentityLedger(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    @Override
    public Optional<IdentityRecord> find(String jobName, LocalDate day) {
        return jdbc.query("SELECT * FROM mp_identity_day WHERE job_name = ? AND event_date = ?", this::map, jobName, day)
                .stream().findFirst();
    }

    @Override
    public List<IdentityRecord> list(String jobName) {
        return jdbc.query("SELECT * FROM mp_identity_day WHERE job_name = ? ORDER BY event_date", this::map, jobName);
    }

    @Override
    public void published(IdentityRecord r) {
        // delete + insert in one transaction: portable, and a day is published by the job lock's holder only
        tx.executeWithoutResult(s -> {
            jdbc.update("DELETE FROM mp_identity_day WHERE job_name = ? AND event_date = ?", r.jobName(), r.day());
            jdbc.update("INSERT INTO mp_identity_day (job_name, event_date, events_content, rows_written, published_at) "
                    + "VALUES (?, ?, ?, ?, ?)", r.jobName(), r.day(), r.eventsContent(), r.rows(),
                    OffsetDateTime.ofInstant(r.publishedAt(), ZoneOffset.UTC));
        });
    }

    private IdentityRecord map(ResultSet rs, int row) throws SQLException {
        return new IdentityRecord(rs.getString("job_name"), rs.getObject("event_date", LocalDate.class),
                rs.getString("events_content"), rs.getLong("rows_written"),
                rs.getObject("published_at", OffsetDateTime.class).toInstant());
    }
}
