package io.mixpanelpipelines.simulator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves {@code GET /api/2.0/export}: injects the next queued fault, authenticates, applies the hourly
 * limit, validates the query, then streams the requested days. Thread-safe: one instance serves all
 * requests concurrently.
 */
final class ExportHandler implements HttpHandler {

    static final String PATH = "/api/2.0/export";
    static final String TERMINATED_EARLY = "terminated early";

    private final SimulatedProject project;
    private final CredentialCheck credentials;
    private final HourlyLimit hourlyLimit;
    private final FaultQueue faults;
    private final Clock clock;
    private final ZoneId zone;
    private final Collection<String> secrets;
    private final AtomicInteger requestCount = new AtomicInteger();
    private final List<SimulatorRequest> log = new ArrayList<>();

    ExportHandler(SimulatedProject project, CredentialCheck credentials, HourlyLimit hourlyLimit,
            FaultQueue faults, Clock clock, ZoneId zone, Collection<String> secrets) {
        this.project = project;
        this.credentials = credentials;
        this.hourlyLimit = hourlyLimit;
        this.faults = faults;
        this.clock = clock;
        this.zone = zone;
        this.secrets = List.copyOf(secrets);
    }

    int requestCount() {
        return requestCount.get();
    }

    List<SimulatorRequest> requests() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (!path.equals(PATH) && !path.equals(PATH + "/")) {
            Responses.json(exchange, 404, Responses.error(path, "not found"));
            return;
        }
        requestCount.incrementAndGet();
        Instant receivedAt = clock.instant();
        Map<String, String> params = QueryString.parse(exchange.getRequestURI().getRawQuery());
        Fault fault = faults.next().orElse(null);
        // Logged as soon as the status is decided, so a client that got its answer finds it in requests().
        boolean[] recorded = {false};
        StatusLog statusLog = status -> {
            recorded[0] = true;
            record(receivedAt, params, status, fault);
        };
        try {
            serve(exchange, params, fault, statusLog);
            exchange.close();
        } catch (ExportRejection rejection) {
            statusLog.decided(rejection.status());
            reject(exchange, rejection);
            exchange.close();
        } catch (IOException | RuntimeException e) {
            if (!recorded[0]) {
                statusLog.decided(500); // what the client sees: the server gives up on the exchange
            }
            throw e;
        }
        // On IOException the exchange is left to the server, which drops the connection: that is what a
        // simulated cut needs (closing the exchange would end the chunked body cleanly).
    }

    /** Records the status of the current request once it is known. */
    @FunctionalInterface
    private interface StatusLog {
        void decided(int status);
    }

    private void serve(HttpExchange exchange, Map<String, String> params, Fault fault, StatusLog statusLog)
            throws ExportRejection, IOException {
        if (!"GET".equalsIgnoreCase(exchange.getRequestMethod())) {
            throw new ExportRejection(405, "method not allowed: use GET");
        }
        if (fault != null) {
            switch (fault.kind()) {
                case SLOW_FIRST_BYTE -> sleep(fault);
                case STATUS -> throw new ExportRejection(fault.status(),
                        "simulated server error (status " + fault.status() + ")");
                case TOO_MANY_REQUESTS -> throw new ExportRejection(429,
                        "too many export requests in progress for this project", fault.delay().toSeconds());
                default -> { } // the body faults are applied while streaming
            }
        }
        credentials.check(exchange.getRequestHeaders().getFirst("Authorization"), params.get("project_id"));
        OptionalLong retryAfter = hourlyLimit.tryAcquire();
        if (retryAfter.isPresent()) {
            throw new ExportRejection(429, "rate limit exceeded: too many export requests for this project "
                    + "in the last hour", retryAfter.getAsLong());
        }
        ExportQuery query = ExportQuery.parse(params, LocalDate.now(clock.withZone(zone)));
        statusLog.decided(200);
        stream(exchange, query, fault);
    }

    private void stream(HttpExchange exchange, ExportQuery query, Fault fault) throws IOException {
        ExportBody body = new ExportBody(exchange, acceptsGzip(exchange.getRequestHeaders().getFirst("Accept-Encoding")));
        boolean truncate = fault != null
                && (fault.kind() == Fault.Kind.CUT_MID_STREAM || fault.kind() == Fault.Kind.TERMINATED_EARLY);
        long stopAt = truncate ? project.positions(query.from(), query.to()) / 2 : Long.MAX_VALUE;
        project.forEach(query, stopAt, body::writeLine);
        if (truncate && fault.kind() == Fault.Kind.CUT_MID_STREAM) {
            body.cut();
        }
        if (truncate) {
            body.writeLine(TERMINATED_EARLY.getBytes(StandardCharsets.US_ASCII));
        }
        body.finish();
    }

    private void reject(HttpExchange exchange, ExportRejection rejection) throws IOException {
        if (rejection.retryAfterSeconds() >= 0) {
            exchange.getResponseHeaders().set("Retry-After", Long.toString(rejection.retryAfterSeconds()));
        }
        // Mixpanel answers 401 and 429 with a bare error; other errors also name the request.
        String body = rejection.status() == 401 || rejection.status() == 429
                ? Responses.error(null, rejection.getMessage())
                : Responses.error(PATH, rejection.getMessage());
        Responses.json(exchange, rejection.status(), body);
    }

    private void record(Instant receivedAt, Map<String, String> params, int status, Fault fault) {
        Map<String, String> safe = new LinkedHashMap<>();
        params.forEach((name, value) -> safe.put(name, redact(value)));
        SimulatorRequest request = new SimulatorRequest(receivedAt, ExportQuery.dateOrNull(params.get("from_date")),
                ExportQuery.dateOrNull(params.get("to_date")), status, safe, fault);
        synchronized (log) {
            log.add(request);
        }
    }

    /** Credentials belong in the header, but a confused client may put one in the URL: never keep it. */
    private String redact(String value) {
        for (String secret : secrets) {
            if (!secret.isEmpty() && value.contains(secret)) {
                return "[redacted]";
            }
        }
        return value;
    }

    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String part : acceptEncoding.split(",")) {
            String[] tokens = part.strip().toLowerCase(Locale.ROOT).split(";");
            if (tokens[0].strip().equals("gzip")) {
                return tokens.length < 2 || !tokens[1].replace(" ", "").matches("q=0(\\.0*)?");
            }
        }
        return false;
    }

    private static void sleep(Fault fault) throws IOException {
        try {
            Thread.sleep(fault.delay().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while simulating a slow first byte", e);
        }
    }

    /** Writes small JSON responses. */
    static final class Responses {
        private Responses() {
        }

        static String error(String request, String message) {
            // Spaced like Mixpanel's own error bodies: {"request": "...", "error": "..."}
            StringBuilder sb = new StringBuilder("{");
            if (request != null) {
                Json.plainString(sb.append("\"request\": "), request).append(", ");
            }
            return Json.plainString(sb.append("\"error\": "), message).append('}').toString();
        }

        static void json(HttpExchange exchange, int status, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
