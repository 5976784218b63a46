package io.mixpanelpipelines.benchmark;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A file-backed stand-in for Mixpanel's export endpoint on loopback: a request for {@code from_date..to_date}
 * is answered with the prepared gzip body of exactly those days of the current shape and day size
 * ({@link BenchmarkBodies}), {@code Content-Encoding: gzip}, copied from disk so that serving costs next to
 * no CPU. A request with a slice's {@code where} gets that slice of the day's body ({@link BenchmarkBodies#slice},
 * cut ahead by {@link SliceRounds}). A range nobody prepared is made on the spot (and counted in {@link #lateBodies()}, since making it
 * competes with the run being timed). Every request's range is recorded for the report.
 */
final class StandInServer implements AutoCloseable {

    private static final Pattern FROM = Pattern.compile("from_date=(\\d{4}-\\d{2}-\\d{2})");
    private static final Pattern TO = Pattern.compile("to_date=(\\d{4}-\\d{2}-\\d{2})");
    /** A slice's {@code where}: {@code $time >= datetime(S) and $time < datetime(E)} (decoded). */
    private static final Pattern WHERE = Pattern.compile("datetime\\((\\d+)\\).*datetime\\((\\d+)\\)");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final BenchmarkBodies bodies;
    private final List<String> requests = new ArrayList<>();
    private volatile String shape;
    private volatile long eventsPerDay;
    private int lateBodies;

    StandInServer(BenchmarkBodies bodies) throws IOException {
        this.bodies = bodies;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor);
        server.createContext("/api/2.0/export", this::handle);
        server.start();
    }

    /** From now on, serve days of {@code shape} with {@code eventsPerDay} events each. */
    StandInServer serving(String shape, long eventsPerDay) {
        this.shape = shape;
        this.eventsPerDay = eventsPerDay;
        return this;
    }

    /** Makes the body of {@code from..to} ahead of the run that asks for it. */
    Path prepare(LocalDate from, LocalDate to) throws IOException {
        return bodies.body(shape, eventsPerDay, from, to);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String query = exchange.getRequestURI().getRawQuery();
            Matcher from = FROM.matcher(query == null ? "" : query);
            Matcher to = TO.matcher(query == null ? "" : query);
            if (!from.find() || !to.find()) {
                byte[] error = "from_date and to_date are required".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(400, error.length);
                exchange.getResponseBody().write(error);
                return;
            }
            LocalDate first = LocalDate.parse(from.group(1));
            LocalDate last = LocalDate.parse(to.group(1));
            String where = java.net.URLDecoder.decode(query.replaceAll(".*where=([^&]*).*|.*", "$1"), StandardCharsets.UTF_8);
            Matcher slice = WHERE.matcher(where);
            boolean sliced = slice.find();
            synchronized (this) {
                requests.add(first + ".." + last + (sliced ? " " + slice.group(1) + "-" + slice.group(2) : ""));
                if (!bodies.has(shape, eventsPerDay, first, last)) {
                    lateBodies++;
                }
            }
            Path gz = sliced ? bodies.slice(shape, eventsPerDay, first, Long.parseLong(slice.group(1)),
                    Long.parseLong(slice.group(2))) : bodies.body(shape, eventsPerDay, first, last);
            exchange.getResponseHeaders().add("Content-Encoding", "gzip");
            exchange.sendResponseHeaders(200, Files.size(gz));
            try (OutputStream out = exchange.getResponseBody()) {
                Files.copy(gz, out);
            }
        }
    }

    /** The ranges requested since the last call, then forgets them. */
    synchronized List<String> takeRequests() {
        List<String> taken = List.copyOf(requests);
        requests.clear();
        return taken;
    }

    synchronized int lateBodies() {
        return lateBodies;
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
