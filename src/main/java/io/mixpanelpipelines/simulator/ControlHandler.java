package io.mixpanelpipelines.simulator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * The simulator's own endpoints, for tests and benchmarks running in another process:
 * {@code POST /_simulator/faults} queues faults (one {@link Fault#parse(String)} spec per line; all or
 * none are queued), {@code DELETE /_simulator/faults} drops them, and {@code GET /_simulator/stats}
 * answers {@code {"requests":N}}. Thread-safe.
 */
final class ControlHandler implements HttpHandler {

    static final String PREFIX = "/_simulator";

    private final FaultQueue faults;
    private final IntSupplier requestCount;
    private final IntSupplier engageCount;

    /**
     * @param requestCount the export requests handled so far
     * @param engageCount the engage (profile query) requests handled so far
     */
    ControlHandler(FaultQueue faults, IntSupplier requestCount, IntSupplier engageCount) {
        this.faults = faults;
        this.requestCount = requestCount;
        this.engageCount = engageCount;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod().toUpperCase(java.util.Locale.ROOT);
            String route = method + " " + path;
            switch (route) {
                case "POST " + PREFIX + "/faults" -> enqueue(exchange);
                case "DELETE " + PREFIX + "/faults" -> {
                    faults.clear();
                    respond(exchange, 200, "{\"pending\":0}");
                }
                case "GET " + PREFIX + "/faults" -> respond(exchange, 200, "{\"pending\":" + faults.size() + "}");
                case "GET " + PREFIX + "/stats" -> respond(exchange, 200, "{\"requests\":" + requestCount.getAsInt()
                        + ",\"engageRequests\":" + engageCount.getAsInt() + "}");
                default -> respond(exchange, 404, ExportHandler.Responses.error(path, "not found"));
            }
        }
    }

    private void enqueue(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        List<Fault> parsed = new ArrayList<>();
        try {
            for (String line : body.split("\\R")) {
                if (!line.isBlank() && !line.strip().startsWith("#")) {
                    parsed.add(Fault.parse(line));
                }
            }
        } catch (IllegalArgumentException e) {
            respond(exchange, 400, ExportHandler.Responses.error(PREFIX + "/faults", e.getMessage()));
            return;
        }
        parsed.forEach(faults::enqueue);
        respond(exchange, 200, "{\"queued\":" + parsed.size() + ",\"pending\":" + faults.size() + "}");
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        ExportHandler.Responses.json(exchange, status, json);
    }
}
