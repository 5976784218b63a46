package io.mixpanelpipelines.state.jdbc;

import io.mixpanelpipelines.source.ExportRequest;
import io.mixpanelpipelines.source.RequestBudget;
import io.mixpanelpipelines.source.RequestBudgetExhaustedException;
import io.mixpanelpipelines.source.Sleeper;
import io.mixpanelpipelines.state.StateStoreRetry;
import io.mixpanelpipelines.state.StateStoreUnavailableException;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A request budget and log of a Mixpanel project in the state database ({@code mp_request_log},
 * {@code mp_request_budget}). A reservation locks the project's budget row ({@code SELECT ... FOR UPDATE}),
 * counts the requests of the sliding hour and second and those still in flight, and records the new
 * request in the same transaction: two processes racing for the last slot cannot both win. A project has
 * two independent budgets, one per {@link Api} (raw export and Query API), in the same tables. The rows hold
 * the project, the dates and the outcome; never a credential. Time comes from the injected clock.
 * Thread-safe.
 */
public final class JdbcRequestBudget implements RequestBudget {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(JdbcRequestBudget.class);

    private static final Duration HOUR = Duration.ofHours(1);
    private static final Duration SECOND = Duration.ofSeconds(1);
    /** A request still unfinished after this long is taken for dead (its process died): not in flight. */
    private static final Duration STALE = Duration.ofMinutes(30);
    /** The longest a reservation waits for a free concurrent slot before the work is deferred. */
    private static final Duration MAX_CONCURRENCY_WAIT = Duration.ofMinutes(10);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final String projectKey;
    private final String jobName;
    private final String runId;
    private final Limits limits;
    private final Clock clock;
    private final Sleeper sleeper;
    private final StateStoreRetry retry;

    /** The configured budget of a project. */
    public record Limits(int perHour, int perSecond, int maxConcurrent) {
    }

    /**
     * Which of Mixpanel's limits a budget spends: each has its own rows ({@code keyPrefix} + the project key),
     * so the two budgets of a project never count each other's requests.
     *
     * @param name for messages
     * @param perHourSetting and {@code concurrencySetting}: the job-file keys named when the budget is spent
     */
    public record Api(String keyPrefix, String name, String perHourSetting, String concurrencySetting) {
        /** The raw export API: 60 requests per hour. */
        public static final Api EXPORT = new Api("", "export", "export.requestsPerHour", "export.maxConcurrentRequests");
        /** The Query API (engage and the reports): its own 60 per hour, 5 at once. */
        public static final Api QUERY = new Api("query:", "Query API", "people.requestsPerHour",
                "people.maxConcurrentRequests");
    }

    private final Api api;

    /**
     * The project as users know it, for messages: {@code project 123456 (us)}, not the row's internal key
     * ({@code query:us:123456}).
     */
    String project() {
        String key = projectKey.substring(api.keyPrefix().length());
        int colon = key.indexOf(':');
        return colon < 0 ? "project " + key : "project " + key.substring(colon + 1) + " (" + key.substring(0, colon) + ")";
    }

    public JdbcRequestBudget(DataSource dataSource, String projectKey, String jobName, String runId, Limits limits,
            Clock clock, Sleeper sleeper) {
        this(dataSource, projectKey, jobName, runId, limits, clock, sleeper,
                new StateStoreRetry("(the request budget's)", Duration.ZERO, sleeper));
    }

    /**
     * @param retry rides out a state database outage in a reservation (no request is sent before it is
     *     recorded) and in a request's completion (the body it answers is kept, whatever happens to the row)
     */
    public JdbcRequestBudget(DataSource dataSource, String projectKey, String jobName, String runId, Limits limits,
            Clock clock, Sleeper sleeper, StateStoreRetry retry) {
        this(Api.EXPORT, dataSource, projectKey, jobName, runId, limits, clock, sleeper, retry);
    }

    /** The budget of {@code api} for a project ({@code region:projectId}). */
    public JdbcRequestBudget(Api api, DataSource dataSource, String projectKey, String jobName, String runId,
            Limits limits, Clock clock, Sleeper sleeper, StateStoreRetry retry) {
        this.api = api;
        this.retry = retry;
        this.jdbc = new JdbcTemplate(dataSource);
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.tx.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.projectKey = api.keyPrefix() + projectKey;
        this.jobName = jobName;
        this.runId = runId;
        this.limits = limits;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    @Override
    public long beforeSend(ExportRequest request, int attempt) {
        retry.run("reserving a request", this::ensureBudgetRow);
        Instant waitingSince = clock.instant();
        while (true) {
            Decision d = retry.call("reserving a request", () -> tx.execute(status -> reserve(request, attempt)));
            if (d.requestId != null) {
                return d.requestId;
            }
            if (d.exhaustedUntil != null) {
                throw new RequestBudgetExhaustedException("the " + api.name() + " budget of " + project() + " ("
                        + limits.perHour() + " requests per hour, " + api.perHourSetting()
                        + ") is spent; the next request fits at "
                        + d.exhaustedUntil, d.exhaustedUntil);
            }
            if (Duration.between(waitingSince, clock.instant()).compareTo(MAX_CONCURRENCY_WAIT) > 0) {
                throw new RequestBudgetExhaustedException("waited " + MAX_CONCURRENCY_WAIT.toMinutes()
                        + " min for one of the " + limits.maxConcurrent() + " concurrent " + api.name() + " requests of "
                        + project() + " (" + api.concurrencySetting() + ")", clock.instant().plus(Duration.ofMinutes(1)));
            }
            try {
                sleeper.sleep(d.waitFor);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RequestBudgetExhaustedException("interrupted while waiting for a request slot", clock.instant());
            }
        }
    }

    private Decision reserve(ExportRequest request, int attempt) {
        jdbc.queryForObject("SELECT project_key FROM mp_request_budget WHERE project_key = ? FOR UPDATE", String.class,
                projectKey);
        Instant now = clock.instant();
        Instant hourAgo = now.minus(HOUR);
        int inHour = count("requested_at > ?", hourAgo);
        if (inHour >= limits.perHour()) {
            Instant oldest = oldestSince(hourAgo);
            return Decision.exhausted(oldest.plus(HOUR));
        }
        Instant secondAgo = now.minus(SECOND);
        if (count("requested_at > ?", secondAgo) >= limits.perSecond()) {
            Instant oldest = oldestSince(secondAgo);
            return Decision.waitFor(Duration.between(now, oldest.plus(SECOND)).plusMillis(5));
        }
        if (count("finished_at IS NULL AND requested_at > ?", now.minus(STALE)) >= limits.maxConcurrent()) {
            return Decision.waitFor(Duration.ofMillis(200));
        }
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
            ps.setObject(7, utc(now));
            return ps;
        }, key);
        return Decision.sent(key.getKey().longValue());
    }

    @Override
    public void completed(long requestId, int status, String outcome, long bytes) {
        try {
            retry.run("recording a request's outcome", () -> jdbc.update("UPDATE mp_request_log SET status_code = ?, "
                    + "outcome = ?, bytes_received = ?, finished_at = ? WHERE id = ?", status, outcome, bytes,
                    utc(clock.instant()), requestId));
        } catch (StateStoreUnavailableException e) {
            // the request was paid for and counts in the hour either way; failing here would throw its body
            // away before its spool is committed. The row only looks in flight until it is taken for stale.
            log.error("request {} finished ({}) but its outcome could not be recorded: {}", requestId, outcome, e.getMessage());
        }
    }

    @Override
    public Status status() {
        Instant now = clock.instant();
        Instant hourAgo = now.minus(HOUR);
        int used = count("requested_at > ?", hourAgo);
        return new Status(used, limits.perHour(), nextSlotAt(0));
    }

    @Override
    public Instant nextSlotAt(int reserving) {
        Instant now = clock.instant();
        Instant hourAgo = now.minus(HOUR);
        List<Instant> sent = requestedSince(hourAgo);
        // the reserved requests go out now, after every recorded one: the hour frees its slots oldest first
        int over = sent.size() + reserving - limits.perHour();
        if (over >= 0) {
            return over < sent.size() ? sent.get(over).plus(HOUR) : now.plus(HOUR);
        }
        Instant secondAgo = now.minus(SECOND);
        List<Instant> lastSecond = sent.stream().filter(t -> t.isAfter(secondAgo)).toList();
        int overSecond = lastSecond.size() + reserving - limits.perSecond();
        if (overSecond >= 0) {
            return overSecond < lastSecond.size() ? lastSecond.get(overSecond).plus(SECOND) : now.plus(SECOND);
        }
        return now;
    }

    private List<Instant> requestedSince(Instant since) {
        return jdbc.queryForList("SELECT requested_at FROM mp_request_log WHERE project_key = ? AND requested_at > ? "
                + "ORDER BY requested_at", OffsetDateTime.class, projectKey, utc(since))
                .stream().map(OffsetDateTime::toInstant).toList();
    }

    /** Requests this run has sent through this budget (the other API's are not counted). */
    @Override
    public int countForRun() {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM mp_request_log WHERE run_id = ? AND project_key = ?",
                Integer.class, runId, projectKey);
        return n == null ? 0 : n;
    }

    @Override
    public int countForJobSince(Instant since) {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM mp_request_log WHERE project_key = ? AND job_name = ? "
                + "AND requested_at >= ?", Integer.class, projectKey, jobName, utc(since));
        return n == null ? 0 : n;
    }

    /** Requests sent for this project since {@code since}, by every job and run. */
    public int countForProjectSince(Instant since) {
        return count("requested_at >= ?", since);
    }

    private int count(String condition, Instant since) {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM mp_request_log WHERE project_key = ? AND " + condition,
                Integer.class, projectKey, utc(since));
        return n == null ? 0 : n;
    }

    private Instant oldestSince(Instant since) {
        OffsetDateTime t = jdbc.queryForObject("SELECT MIN(requested_at) FROM mp_request_log WHERE project_key = ? AND requested_at > ?",
                OffsetDateTime.class, projectKey, utc(since));
        return t == null ? since : t.toInstant();
    }

    private void ensureBudgetRow() {
        try {
            jdbc.update("INSERT INTO mp_request_budget (project_key, created_at) SELECT ?, ? WHERE NOT EXISTS "
                    + "(SELECT 1 FROM mp_request_budget WHERE project_key = ?)", projectKey, utc(clock.instant()), projectKey);
        } catch (DuplicateKeyException raced) {
            // another process created it first
        }
    }

    private static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    /** The outcome of one reservation attempt. */
    private record Decision(Long requestId, Instant exhaustedUntil, Duration waitFor) {
        static Decision sent(long id) {
            return new Decision(id, null, null);
        }

        static Decision exhausted(Instant until) {
            return new Decision(null, until, null);
        }

        static Decision waitFor(Duration d) {
            return new Decision(null, null, d.isNegative() ? Duration.ofMillis(5) : d);
        }
    }
}
