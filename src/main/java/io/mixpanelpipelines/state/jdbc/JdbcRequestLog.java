package io.mixpanelpipelines.state.jdbc;

import io.mixpanelpipelines.source.ExportRequest;
import io.mixpanelpipelines.source.RequestRecorder;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;

/**
 * Records export requests in table {@code mp_request_log}, each before it is sent. The rows hold the
 * project, the dates and the outcome; never a credential. Thread-safe.
 */
public final class JdbcRequestLog implements RequestRecorder {

    private final JdbcTemplate jdbc;
    private final String projectKey;
    private final String jobName;
    private final String runId;

    public JdbcRequestLog(DataSource dataSource, String projectKey, String jobName, String runId) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.projectKey = projectKey;
        this.jobName = jobName;
        this.runId = runId;
    }

    @Override
    public long beforeSend(ExportRequest request, int attempt) {
        GeneratedKeyHolder key = new GeneratedKeyHolder();
        jdbc.update(c -> {
            PreparedStatement ps = c.prepareStatement("INSERT INTO mp_request_log (project_key, job_name, run_id, "
                    + "from_date, to_date, attempt, requested_at) VALUES (?, ?, ?, ?, ?, ?, ?)", new String[] {"id"});
            ps.setString(1, projectKey);
            ps.setString(2, jobName);
            ps.setString(3, runId);
            ps.setObject(4, request.fromDate());
            ps.setObject(5, request.toDate());
            ps.setInt(6, attempt);
            ps.setObject(7, OffsetDateTime.now(ZoneOffset.UTC));
            return ps;
        }, key);
        return key.getKey().longValue();
    }

    @Override
    public void completed(long requestId, int status, String outcome, long bytes) {
        jdbc.update("UPDATE mp_request_log SET status_code = ?, outcome = ?, bytes_received = ?, finished_at = ? WHERE id = ?",
                status, outcome, bytes, OffsetDateTime.now(ZoneOffset.UTC), requestId);
    }

    /** Requests this run has sent. */
    public int countForRun() {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM mp_request_log WHERE run_id = ?", Integer.class, runId);
        return n == null ? 0 : n;
    }

    /** Requests sent for this project since {@code since}, by every job and run. */
    public int countForProjectSince(Instant since) {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM mp_request_log WHERE project_key = ? AND requested_at >= ?",
                Integer.class, projectKey, OffsetDateTime.ofInstant(since, ZoneOffset.UTC));
        return n == null ? 0 : n;
    }
}
