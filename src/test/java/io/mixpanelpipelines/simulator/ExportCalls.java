package io.mixpanelpipelines.simulator;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Calls a running simulator with a real {@link HttpClient}; remembers every body it received. */
final class ExportCalls {

    static final String SECRET = "proj-secret-XYZ";
    static final String SA_USER = "sa-user";
    static final String SA_SECRET = "sa-secret-ABC";

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    final List<String> bodiesSeen = new ArrayList<>();

    ExportCalls(URI base) {
        this.base = base;
    }

    record Reply(int status, HttpResponse<byte[]> raw, String body) {
        List<String> lines() {
            return body.isEmpty() ? List.of() : Arrays.asList(body.split("\n", -1)).subList(0, body.split("\n", -1).length - 1);
        }

        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    static String projectSecretAuth() {
        return basic(SECRET, "");
    }

    static String serviceAccountAuth() {
        return basic(SA_USER, SA_SECRET);
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    HttpRequest.Builder request(String pathAndQuery, String authorization, boolean gzip) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(Duration.ofSeconds(20));
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        if (gzip) {
            builder.header("Accept-Encoding", "gzip");
        }
        return builder;
    }

    Reply export(String query, String authorization, boolean gzip) {
        return send(request("/api/2.0/export?" + query, authorization, gzip).GET().build());
    }

    Reply export(String query) {
        return export(query, projectSecretAuth(), false);
    }

    Reply send(HttpRequest request) {
        try {
            HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            byte[] bytes = response.body();
            if ("gzip".equals(response.headers().firstValue("Content-Encoding").orElse(null))) {
                bytes = new GZIPInputStream(new ByteArrayInputStream(bytes)).readAllBytes();
            }
            String body = new String(bytes, StandardCharsets.UTF_8);
            bodiesSeen.add(body);
            response.headers().map().forEach((name, values) -> bodiesSeen.add(name + ": " + values));
            return new Reply(response.statusCode(), response, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpClient client() {
        return client;
    }
}
