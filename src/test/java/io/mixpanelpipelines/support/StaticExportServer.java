package io.mixpanelpipelines.support;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;

/**
 * A minimal stand-in for Mixpanel's export endpoint that serves fixed bodies per {@code from_date}: for
 * inputs the simulator never produces (malformed lines, oversized lines, events outside their day).
 */
public final class StaticExportServer implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, byte[]> bodies = new ConcurrentHashMap<>();
    public final AtomicInteger requests = new AtomicInteger();

    public StaticExportServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/2.0/export", exchange -> {
            requests.incrementAndGet();
            String query = exchange.getRequestURI().getRawQuery();
            String from = query.replaceAll(".*from_date=([0-9-]+).*", "$1");
            byte[] body = bodies.getOrDefault(from, new byte[0]);
            exchange.getResponseHeaders().add("Content-Encoding", "gzip");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = new GZIPOutputStream(exchange.getResponseBody())) {
                out.write(body);
            }
        });
        server.start();
    }

    public StaticExportServer serve(String day, String body) {
        bodies.put(day, body.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    public StaticExportServer serve(String day, byte[] body) {
        bodies.put(day, body);
        return this;
    }

    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
