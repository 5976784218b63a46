package io.mixpanelpipelines.simulator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serves Mixpanel's engage query, {@code POST /api/query/engage} (and the legacy {@code /api/2.0/engage}):
 * a form body with {@code where}, {@code output_properties}, {@code session_id}, {@code page},
 * {@code filter_by_cohort}, {@code include_all_users} and {@code data_group_id}; 1,000 profiles a page.
 * Page 0 starts a query and answers its {@code session_id}; a later page must name that session, which
 * expires after a configurable time (then a 400 says so: Mixpanel documents no lifetime and no error for
 * it). Every request counts against the Query API's limit (per rolling hour, and 5 at once), answering
 * 429 beyond it; queued faults (status, 429, a cut body, a slow answer) apply first. Thread-safe.
 */
final class EngageHandler implements HttpHandler {

    static final String PATH = "/api/query/engage";
    static final String LEGACY_PATH = "/api/2.0/engage";
    static final int PAGE_SIZE = 1000;
    static final int MAX_CONCURRENT = 5;
    static final String SESSION_EXPIRED = "session_id has expired or is unknown; start the query again from page 0";
    private static final Pattern COHORT_ID = Pattern.compile("\\{\\s*\"id\"\\s*:\\s*(\\d+)\\s*}");

    private final ProfileCatalog catalog;
    private final CredentialCheck credentials;
    private final HourlyLimit limit;
    private final FaultQueue faults;
    private final Clock clock;
    private final Duration sessionExpiry;
    private final AtomicInteger active = new AtomicInteger();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final List<SimulatorRequest> log = new ArrayList<>();

    /** A started query: the profiles it matched when page 0 was asked for. */
    private record Session(List<ProfileCatalog.Profile> matched, List<String> output, Instant startedAt) {
    }

    EngageHandler(ProfileCatalog catalog, CredentialCheck credentials, HourlyLimit limit, FaultQueue faults, Clock clock,
            Duration sessionExpiry) {
        this.catalog = catalog;
        this.credentials = credentials;
        this.limit = limit;
        this.faults = faults;
        this.clock = clock;
        this.sessionExpiry = sessionExpiry;
    }

    List<SimulatorRequest> requests() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    /** Expires every session now (tests: what a session dying mid-query looks like). */
    void expireSessions() {
        sessions.clear();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        Instant receivedAt = clock.instant();
        Map<String, String> params = QueryString.parse(exchange.getRequestURI().getRawQuery());
        String path = exchange.getRequestURI().getPath();
        if (!path.equals(PATH) && !path.equals(LEGACY_PATH)) {
            ExportHandler.Responses.json(exchange, 404, ExportHandler.Responses.error(path, "not found"));
            return;
        }
        String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        QueryString.parse(form).forEach(params::putIfAbsent);
        Fault fault = faults.next().orElse(null);
        if ("close".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Connection"))) {
            // said back, as HTTP servers do: without it the JDK client pools a connection this server then closes,
            // and its next POST meets a reset
            exchange.getResponseHeaders().set("Connection", "close");
        }
        boolean admitted = active.incrementAndGet() <= MAX_CONCURRENT;
        try {
            byte[] body = answer(exchange, params, fault, admitted);
            record(receivedAt, params, 200, fault);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            OutputStream out = exchange.getResponseBody();
            if (fault != null && (fault.kind() == Fault.Kind.CUT_MID_STREAM || fault.kind() == Fault.Kind.TERMINATED_EARLY)) {
                out.write(body, 0, body.length / 2);
                out.flush();
                // fewer bytes than announced: the server drops the connection, the client sees a cut body
                throw new IOException("simulated cut engage body");
            }
            out.write(body);
            exchange.close();
        } catch (ExportRejection rejection) {
            record(receivedAt, params, rejection.status(), fault);
            if (rejection.retryAfterSeconds() >= 0) {
                exchange.getResponseHeaders().set("Retry-After", Long.toString(rejection.retryAfterSeconds()));
            }
            ExportHandler.Responses.json(exchange, rejection.status(), ExportHandler.Responses.error(
                    rejection.status() == 401 || rejection.status() == 429 ? null : PATH, rejection.getMessage()));
            exchange.close();
        } finally {
            active.decrementAndGet();
        }
    }

    private byte[] answer(HttpExchange exchange, Map<String, String> params, Fault fault, boolean admitted)
            throws ExportRejection {
        if (!"POST".equalsIgnoreCase(exchange.getRequestMethod())) {
            throw new ExportRejection(405, "method not allowed: use POST with a form body");
        }
        if (fault != null && fault.kind() == Fault.Kind.SLOW_FIRST_BYTE) {
            try {
                Thread.sleep(fault.delay().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (fault != null && fault.kind() == Fault.Kind.STATUS) {
            throw new ExportRejection(fault.status(), "simulated server error (status " + fault.status() + ")");
        }
        if (fault != null && fault.kind() == Fault.Kind.TOO_MANY_REQUESTS) {
            throw new ExportRejection(429, "too many queries in progress for this project", fault.delay().toSeconds());
        }
        credentials.check(exchange.getRequestHeaders().getFirst("Authorization"), params.get("project_id"));
        if (!admitted) {
            throw new ExportRejection(429, "too many concurrent queries for this project (at most " + MAX_CONCURRENT + ")", 1);
        }
        OptionalLong retryAfter = limit.tryAcquire();
        if (retryAfter.isPresent()) {
            throw new ExportRejection(429, "rate limit exceeded: too many queries for this project in the last hour",
                    retryAfter.getAsLong());
        }
        int page = page(params.get("page"));
        String sessionId = params.get("session_id");
        Session session;
        if (page == 0 && (sessionId == null || sessionId.isBlank())) {
            session = new Session(matching(params), outputProperties(params.get("output_properties")), clock.instant());
            sessionId = UUID.randomUUID().toString().replace("-", "");
            sessions.put(sessionId, session);
        } else {
            if (sessionId == null || sessionId.isBlank()) {
                throw new ExportRejection(400, "page " + page + " needs the session_id of page 0");
            }
            session = sessions.get(sessionId);
            if (session == null || !clock.instant().isBefore(session.startedAt().plus(sessionExpiry))) {
                sessions.remove(sessionId);
                throw new ExportRejection(400, SESSION_EXPIRED);
            }
        }
        return render(page, sessionId, session).getBytes(StandardCharsets.UTF_8);
    }

    private List<ProfileCatalog.Profile> matching(Map<String, String> params) throws ExportRejection {
        Predicate<ProfileCatalog.Profile> where = ProfileWhere.parse(params.get("where"));
        String group = params.get("data_group_id");
        String cohort = params.get("filter_by_cohort");
        List<ProfileCatalog.Profile> base;
        if (group != null && !group.isBlank()) {
            base = catalog.groups(group.strip());
        } else if (cohort != null && !cohort.isBlank()) {
            Matcher m = COHORT_ID.matcher(cohort.strip());
            if (!m.matches()) {
                throw new ExportRejection(400, "filter_by_cohort must be {\"id\": N}");
            }
            base = catalog.cohort(Long.parseLong(m.group(1)), !"false".equalsIgnoreCase(params.get("include_all_users")));
        } else {
            base = catalog.users();
        }
        return base.stream().filter(where).toList();
    }

    private static String render(int page, String sessionId, Session session) {
        List<ProfileCatalog.Profile> all = session.matched();
        int from = Math.min(all.size(), page * PAGE_SIZE);
        int to = Math.min(all.size(), from + PAGE_SIZE);
        StringBuilder sb = new StringBuilder().append("{\"page\": ").append(page).append(", \"page_size\": ")
                .append(PAGE_SIZE).append(", \"session_id\": \"").append(sessionId).append("\", \"status\": \"ok\", \"total\": ")
                .append(all.size()).append(", \"results\": [");
        for (int i = from; i < to; i++) {
            ProfileCatalog.Profile p = all.get(i);
            Json.plainString(sb.append(i == from ? "" : ", ").append("{\"$distinct_id\": "), p.distinctId())
                    .append(", \"$properties\": ").append(p.propertiesJson(session.output())).append('}');
        }
        return sb.append("]}").toString();
    }

    private static int page(String text) throws ExportRejection {
        if (text == null || text.isBlank()) {
            return 0;
        }
        try {
            int page = Integer.parseInt(text.strip());
            if (page >= 0) {
                return page;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new ExportRejection(400, "page must be a whole number from 0: " + text);
    }

    /** {@code ["a","b"]} as a list; null for all properties. */
    private static List<String> outputProperties(String json) throws ExportRejection {
        if (json == null || json.isBlank()) {
            return null;
        }
        String s = json.strip();
        if (!s.startsWith("[") || !s.endsWith("]")) {
            throw new ExportRejection(400, "output_properties must be a JSON list of property names");
        }
        List<String> names = new ArrayList<>();
        Matcher m = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(s);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private void record(Instant receivedAt, Map<String, String> params, int status, Fault fault) {
        SimulatorRequest request = new SimulatorRequest(receivedAt, null, null, status, new LinkedHashMap<>(params), fault);
        synchronized (log) {
            log.add(request);
        }
    }
}
