package io.mixpanelpipelines.simulator;

import static io.mixpanelpipelines.simulator.ExportCalls.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Injected faults, through the Java API and through the {@code /_simulator} endpoints. */
class SimulatorFaultsTests {

    private static final LocalDate DAY = LocalDate.of(2024, 3, 9);
    private static final String DAY_QUERY = "from_date=2024-03-09&to_date=2024-03-09";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private MixpanelSimulator sim;
    private ExportCalls calls;

    @BeforeEach
    void start() {
        sim = MixpanelSimulator.builder()
                .projectSecret(SECRET)
                .clock(new MutableClock(Instant.parse("2024-03-10T12:00:00Z")))
                .build()
                .start(0);
        calls = new ExportCalls(sim.baseUri());
    }

    @AfterEach
    void stop() {
        sim.close();
        assertThat(calls.bodiesSeen).noneMatch(text -> text.contains(SECRET));
    }

    @Test
    void statusFaultAnswersThatStatusWithAJsonError() {
        sim.faults().enqueue(Fault.status(503));

        ExportCalls.Reply reply = calls.export(DAY_QUERY);

        assertThat(reply.status()).isEqualTo(503);
        assertThat(JSON.readTree(reply.body()).get("error").asString()).isNotBlank();
        assertThat(calls.export(DAY_QUERY).status()).isEqualTo(200);
    }

    @Test
    void tooManyRequestsFaultSendsRetryAfter() {
        sim.faults().enqueue(Fault.tooManyRequests(2));

        ExportCalls.Reply reply = calls.export(DAY_QUERY);

        assertThat(reply.status()).isEqualTo(429);
        assertThat(reply.header("Retry-After")).isEqualTo("2");
        assertThat(reply.body()).isEqualTo("{\"error\": \"too many export requests in progress for this project\"}");
    }

    @Test
    void faultsAreConsumedOnePerRequestInOrder() {
        sim.faults().enqueue(Fault.status(500)).enqueue(Fault.status(502));

        assertThat(calls.export(DAY_QUERY).status()).isEqualTo(500);
        assertThat(calls.export(DAY_QUERY).status()).isEqualTo(502);
        assertThat(calls.export(DAY_QUERY).status()).isEqualTo(200);
        assertThat(sim.requests()).extracting(SimulatorRequest::fault)
                .containsExactly(Fault.status(500), Fault.status(502), null);
    }

    @Test
    void terminatedEarlyEndsAHalfBodyWithTheMarkerLine() {
        sim.faults().enqueue(Fault.terminatedEarly()).enqueue(Fault.terminatedEarly());

        for (boolean gzip : new boolean[] {false, true}) {
            ExportCalls.Reply reply = calls.export(DAY_QUERY, ExportCalls.projectSecretAuth(), gzip);
            assertThat(reply.status()).isEqualTo(200);
            List<String> lines = reply.lines();
            assertThat(lines.get(lines.size() - 1)).isEqualTo("terminated early");
            assertThat(lines.subList(0, lines.size() - 1))
                    .isEqualTo(sim.expectedLines(DAY, false).subList(0, 500));
        }
    }

    @Test
    void cutMidStreamFailsTheClientWithAndWithoutGzip() {
        for (boolean gzip : new boolean[] {false, true}) {
            sim.faults().enqueue(Fault.cutMidStream());
            HttpRequest request = calls.request("/api/2.0/export?" + DAY_QUERY, ExportCalls.projectSecretAuth(), gzip)
                    .GET().build();
            assertThatThrownBy(() -> calls.client().send(request, HttpResponse.BodyHandlers.ofByteArray()))
                    .isInstanceOf(IOException.class);
        }
        assertThat(calls.export(DAY_QUERY).lines()).hasSize(1000); // the server is fine afterwards
        assertThat(sim.requests()).extracting(SimulatorRequest::status).containsExactly(200, 200, 200);
    }

    @Test
    void cutMidStreamSendsPartOfTheBodyWithoutTheChunkedTerminator() throws IOException {
        sim.faults().enqueue(Fault.cutMidStream());

        byte[] raw = rawGet("/api/2.0/export?" + DAY_QUERY);
        String text = new String(raw, StandardCharsets.UTF_8);

        assertThat(text).startsWith("HTTP/1.1 200").contains("Transfer-encoding: chunked");
        assertThat(raw.length).isGreaterThan(100_000); // about half of a ~750 KB day
        assertThat(text).doesNotEndWith("\r\n0\r\n\r\n");
    }

    @Test
    void slowFirstByteDelaysTheResponse() {
        sim.faults().enqueue(Fault.slowFirstByte(Duration.ofMillis(400)));

        long start = System.nanoTime();
        ExportCalls.Reply reply = calls.export(DAY_QUERY + "&limit=3");

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.lines()).hasSize(3);
    }

    @Test
    void faultsCanBeQueuedAndStatsReadOverHttp() {
        ExportCalls.Reply queued = post("/_simulator/faults", "status:503\n429:2\n\nslow:10\nterminated-early\ncut\n");
        assertThat(queued.status()).isEqualTo(200);
        assertThat(JSON.readTree(queued.body()).get("queued").asInt()).isEqualTo(5);
        assertThat(sim.faults().size()).isEqualTo(5);

        assertThat(calls.export(DAY_QUERY).status()).isEqualTo(503);
        ExportCalls.Reply limited = calls.export(DAY_QUERY);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.header("Retry-After")).isEqualTo("2");

        ExportCalls.Reply stats = calls.send(calls.request("/_simulator/stats", null, false).GET().build());
        assertThat(stats.body()).isEqualTo("{\"requests\":2,\"engageRequests\":0}");

        assertThat(post("/_simulator/faults", "status:503\nexplode").status()).isEqualTo(400);
        assertThat(sim.faults().size()).isEqualTo(3); // a bad batch queues nothing
    }

    @Test
    void faultSpecsParse() {
        assertThat(Fault.parse(" cut ")).isEqualTo(Fault.cutMidStream());
        assertThat(Fault.parse("terminated-early")).isEqualTo(Fault.terminatedEarly());
        assertThat(Fault.parse("status:503")).isEqualTo(Fault.status(503));
        assertThat(Fault.parse("429:2")).isEqualTo(Fault.tooManyRequests(2));
        assertThat(Fault.parse("slow:3000")).isEqualTo(Fault.slowFirstByte(Duration.ofSeconds(3)));
        assertThatThrownBy(() -> Fault.parse("status:abc")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Fault.parse("status:42")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Fault.parse("slow")).isInstanceOf(IllegalArgumentException.class);
    }

    private ExportCalls.Reply post(String path, String body) {
        return calls.send(calls.request(path, null, false).POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** A bare HTTP/1.1 exchange, to see the bytes exactly as the server left them. */
    private byte[] rawGet(String pathAndQuery) throws IOException {
        try (Socket socket = new Socket(sim.baseUri().getHost(), sim.baseUri().getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: "
                    + ExportCalls.projectSecretAuth() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            in.transferTo(received); // returns at EOF: the server closed the connection
            return received.toByteArray();
        }
    }
}
