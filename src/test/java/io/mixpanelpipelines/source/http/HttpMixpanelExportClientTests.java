package io.mixpanelpipelines.source.http;

import io.mixpanelpipelines.source.Sleeper;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mixpanelpipelines.config.Secret;
import io.mixpanelpipelines.simulator.Fault;
import io.mixpanelpipelines.simulator.MixpanelSimulator;
import io.mixpanelpipelines.simulator.SimulatorRequest;
import io.mixpanelpipelines.source.ExportRequest;
import io.mixpanelpipelines.source.MixpanelAuthenticationException;
import io.mixpanelpipelines.source.MixpanelCredentials;
import io.mixpanelpipelines.source.MixpanelRateLimitedException;
import io.mixpanelpipelines.source.MixpanelRequestException;
import io.mixpanelpipelines.source.MixpanelUnavailableException;
import io.mixpanelpipelines.source.RequestRecorder;
import io.mixpanelpipelines.source.Spool;
import io.mixpanelpipelines.source.SpoolManifest;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/** The HTTP export client against the real built-in simulator; no test sleeps for a retry. */
class HttpMixpanelExportClientTests {

    private static final String PROJECT_ID = "123456";
    private static final String PROJECT_SECRET = "proj-secret-7f3a9c";
    private static final String SA_USER = "sa-user.abc";
    private static final String SA_SECRET = "sa-secret-e41b22";
    private static final LocalDate DAY = LocalDate.of(2024, 3, 9);
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-03-10T12:00:00Z"), ZoneOffset.UTC);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path tmp;

    private MixpanelSimulator sim;
    private final RecordingSleeper sleeper = new RecordingSleeper();
    private RecordingRecorder recorder;

    @BeforeEach
    void start() {
        sim = simulator(300);
        recorder = new RecordingRecorder(sim);
    }

    @AfterEach
    void stop() {
        sim.close();
        // credentials go in the Authorization header only, never in the URL
        assertThat(sim.requests()).allSatisfy(r -> assertThat(r.params().values()).doesNotContain("[redacted]"));
    }

    private static MixpanelSimulator simulator(long eventsPerDay) {
        return MixpanelSimulator.builder()
                .projectId(PROJECT_ID)
                .projectSecret(PROJECT_SECRET)
                .serviceAccount(SA_USER, SA_SECRET)
                .clock(CLOCK)
                .hourlyLimit(0)
                .eventsPerDay(eventsPerDay)
                .build()
                .start(0);
    }

    private static MixpanelCredentials projectSecret(String secret) {
        return new MixpanelCredentials(Secret.of(secret), Secret.of(""), false,
                "project secret (environment variable MP_SECRET)");
    }

    private static MixpanelCredentials serviceAccount(String user, String secret) {
        return new MixpanelCredentials(Secret.of(user), Secret.of(secret), true,
                "service account (environment variables SA_USER, SA_SECRET)");
    }

    private ClientSettings settings(int maxAttempts, Duration readTimeout) {
        return new ClientSettings(sim.baseUri(), PROJECT_ID, Duration.ofSeconds(5), readTimeout, maxAttempts,
                Duration.ofMillis(100), Duration.ofSeconds(2), ClientSettings.DEFAULT_MAX_LINE_BYTES);
    }

    private HttpMixpanelExportClient client(MixpanelCredentials credentials, int maxAttempts) {
        return new HttpMixpanelExportClient(settings(maxAttempts, Duration.ofSeconds(10)), credentials, recorder, sleeper,
                ZoneId.of("UTC"));
    }

    private HttpMixpanelExportClient client() {
        return client(projectSecret(PROJECT_SECRET), 4);
    }

    private Spool spool(String name) {
        return new Spool(tmp.resolve(name));
    }

    private static List<String> decodedLines(Spool spool) throws IOException {
        try (InputStream in = spool.openLines()) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(text).endsWith("\n");
            return Arrays.asList(text.substring(0, text.length() - 1).split("\n", -1));
        }
    }

    private static long decodedSize(List<String> lines) {
        return lines.stream().mapToLong(l -> l.getBytes(StandardCharsets.UTF_8).length + 1L).sum();
    }

    // --- bodies ---

    @Test
    void gzipBodyIsSpooledByteForByteAsSent() throws Exception {
        Spool spool = spool("day");

        SpoolManifest manifest = client().fetch(ExportRequest.days(DAY, DAY, true), spool);

        List<String> expected = sim.expectedLines(DAY, true);
        assertThat(spool.isComplete()).isTrue();
        assertThat(manifest).isEqualTo(spool.manifest());
        assertThat(manifest.window()).isEqualTo("2024-03-09");
        assertThat(manifest.encoding()).isEqualTo("gzip");
        assertThat(manifest.lines()).isEqualTo(expected.size()).isEqualTo(300);
        assertThat(manifest.decodedBytes()).isEqualTo(decodedSize(expected));
        byte[] body = Files.readAllBytes(spool.dir().resolve("body"));
        assertThat(manifest.bodyBytes()).isEqualTo(body.length);
        assertThat(Files.exists(spool.dir().resolve("body.part"))).isFalse();
        assertThat(decodedLines(spool)).isEqualTo(expected);

        // the same request sent by an independent client: the spool holds exactly those bytes
        HttpResponse<byte[]> direct = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        sim.baseUri().resolve("/api/2.0/export?from_date=2024-03-09&to_date=2024-03-09&time_in_ms=true"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (PROJECT_SECRET + ":").getBytes(StandardCharsets.UTF_8)))
                .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(direct.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(body).isEqualTo(direct.body());
    }

    @Test
    void smallBodyIsPlain() throws IOException {
        sim.close();
        sim = simulator(1);
        recorder = new RecordingRecorder(sim);
        Spool spool = spool("small");

        SpoolManifest manifest = client().fetch(ExportRequest.days(DAY, DAY, false), spool);

        List<String> expected = sim.expectedLines(DAY, false);
        assertThat(expected).hasSize(1);
        assertThat(decodedSize(expected)).isLessThanOrEqualTo(1400);
        assertThat(manifest.encoding()).isEqualTo("identity");
        assertThat(manifest.lines()).isEqualTo(1);
        assertThat(manifest.bodyBytes()).isEqualTo(decodedSize(expected)).isEqualTo(manifest.decodedBytes());
        assertThat(Files.readString(spool.dir().resolve("body"))).isEqualTo(String.join("\n", expected) + "\n");
        assertThat(decodedLines(spool)).isEqualTo(expected);
    }

    @Test
    void emptyDayGivesAnEmptyCompleteSpool() throws IOException {
        sim.close();
        sim = simulator(0);
        recorder = new RecordingRecorder(sim);
        Spool spool = spool("empty");

        SpoolManifest manifest = client().fetch(ExportRequest.days(DAY, DAY, true), spool);

        assertThat(spool.isComplete()).isTrue();
        assertThat(manifest.lines()).isZero();
        assertThat(manifest.bodyBytes()).isZero();
        try (InputStream in = spool.openLines()) {
            assertThat(in.readAllBytes()).isEmpty();
        }
    }

    @Test
    void multiDayWindow() throws IOException {
        Spool spool = spool("window");

        SpoolManifest manifest = client().fetch(ExportRequest.days(DAY.minusDays(1), DAY, true), spool);

        assertThat(manifest.window()).isEqualTo("2024-03-08..2024-03-09");
        assertThat(manifest.lines()).isEqualTo(600);
        assertThat(decodedLines(spool)).containsExactlyInAnyOrderElementsOf(concat(
                sim.expectedLines(DAY.minusDays(1), true), sim.expectedLines(DAY, true)));
    }

    // --- credentials and parameters ---

    @Test
    void serviceAccountSendsProjectId() throws IOException {
        Spool spool = spool("sa");

        client(serviceAccount(SA_USER, SA_SECRET), 4).fetch(ExportRequest.days(DAY, DAY, true), spool);

        assertThat(decodedLines(spool)).isEqualTo(sim.expectedLines(DAY, true));
        SimulatorRequest request = sim.requests().get(0);
        assertThat(request.status()).isEqualTo(200);
        assertThat(request.params()).containsEntry("project_id", PROJECT_ID)
                .containsEntry("from_date", "2024-03-09").containsEntry("to_date", "2024-03-09")
                .containsEntry("time_in_ms", "true");
    }

    @Test
    void projectSecretSendsNoProjectId() {
        client().fetch(ExportRequest.days(DAY, DAY, true), spool("ps"));

        assertThat(sim.requests().get(0).params()).doesNotContainKey("project_id");
    }

    @Test
    void eventFilterAndSecondsReachTheServer() throws IOException {
        List<String> names = List.of("Signed up", "注文完了", "Error \"quoted\" \\ name");
        Spool spool = spool("filtered");

        client().fetch(new ExportRequest(DAY, DAY, names, null, null, false), spool);

        SimulatorRequest request = sim.requests().get(0);
        assertThat(request.params()).doesNotContainKey("time_in_ms");
        assertThat(JSON.readValue(request.params().get("event"), String[].class)).containsExactlyElementsOf(names);
        List<String> expected = sim.expectedLines(DAY, false).stream()
                .filter(line -> names.contains(JSON.readTree(line).get("event").asString())).toList();
        assertThat(expected).isNotEmpty();
        assertThat(decodedLines(spool)).isEqualTo(expected);
    }

    // --- transient failures ---

    @Test
    void cutStreamIsRetriedAndDataIsExact() throws IOException {
        assertRetriedOnce(Fault.cutMidStream(), "cut", 200);
    }

    @Test
    void terminatedEarlyIsRetriedAndDataIsExact() throws IOException {
        assertRetriedOnce(Fault.terminatedEarly(), "terminated-early", 200);
    }

    @Test
    void serverErrorIsRetriedAndDataIsExact() throws IOException {
        assertRetriedOnce(Fault.status(503), "http-503", 503);
    }

    @Test
    void tooManyRequestsIsRetriedAfterRetryAfter() throws IOException {
        assertRetriedOnce(Fault.tooManyRequests(1), "http-429", 429);

        assertThat(sleeper.waits).containsExactly(Duration.ofSeconds(1));
    }

    private void assertRetriedOnce(Fault fault, String outcome, int status) throws IOException {
        sim.faults().enqueue(fault);
        Spool spool = spool("retried");

        SpoolManifest manifest = client().fetch(ExportRequest.days(DAY, DAY, true), spool);

        List<String> expected = sim.expectedLines(DAY, true);
        assertThat(decodedLines(spool)).isEqualTo(expected);
        assertThat(manifest.lines()).isEqualTo(expected.size());
        assertThat(sim.requestCount()).isEqualTo(2);
        assertThat(sleeper.waits).hasSize(1);
        assertThat(recorder.attempts).containsExactly(1, 2);
        assertThat(recorder.outcomes).hasSize(2);
        assertThat(recorder.outcomes.get(0)).startsWith(status + " " + outcome + " ");
        assertThat(recorder.outcomes.get(1)).isEqualTo("200 ok " + manifest.bodyBytes());
    }

    @Test
    void waitsGrowExponentiallyWithJitterAndAreCapped() {
        sim.faults().enqueue(Fault.status(500)).enqueue(Fault.status(502)).enqueue(Fault.status(503))
                .enqueue(Fault.status(504)).enqueue(Fault.status(500));
        HttpMixpanelExportClient client = new HttpMixpanelExportClient(new ClientSettings(sim.baseUri(), PROJECT_ID,
                Duration.ofSeconds(5), Duration.ofSeconds(10), 6, Duration.ofMillis(100), Duration.ofMillis(500),
                ClientSettings.DEFAULT_MAX_LINE_BYTES), projectSecret(PROJECT_SECRET), recorder, sleeper, ZoneOffset.UTC);

        client.fetch(ExportRequest.days(DAY, DAY, true), spool("backoff"));

        assertThat(sleeper.waits).hasSize(5);
        long[] caps = {100, 200, 400, 500, 500};
        for (int i = 0; i < caps.length; i++) {
            assertThat(sleeper.waits.get(i).toMillis()).as("wait %d", i + 1).isBetween(caps[i] / 2, caps[i]);
        }
        assertThat(sim.requestCount()).isEqualTo(6);
    }

    @Test
    void retryAfterIsCappedByMaxBackoff() {
        sim.faults().enqueue(Fault.tooManyRequests(3600));

        client().fetch(ExportRequest.days(DAY, DAY, true), spool("capped"));

        assertThat(sleeper.waits).containsExactly(Duration.ofSeconds(2));
    }

    @Test
    void exhaustedAttemptsThrowUnavailableAndLeaveNoCompleteSpool() {
        for (int i = 0; i < 4; i++) {
            sim.faults().enqueue(i % 2 == 0 ? Fault.status(503) : Fault.cutMidStream());
        }
        Spool spool = spool("failed");

        assertThatThrownBy(() -> client().fetch(ExportRequest.days(DAY, DAY, true), spool))
                .isInstanceOf(MixpanelUnavailableException.class)
                .hasMessageStartingWith("export of 2024-03-09 failed after 4 attempts; last: body cut after");
        assertThat(sim.requestCount()).isEqualTo(4);
        assertThat(sleeper.waits).hasSize(3);
        assertThat(spool.isComplete()).isFalse();
        assertThat(Files.exists(spool.dir().resolve("complete.json"))).isFalse();
        assertThat(recorder.attempts).containsExactly(1, 2, 3, 4);
    }

    @Test
    void threeRejectionsIn429sDeferTheRestOfTheRun() {
        for (int i = 0; i < 3; i++) {
            sim.faults().enqueue(Fault.tooManyRequests(1));
        }
        HttpMixpanelExportClient client = client(projectSecret(PROJECT_SECRET), 5);

        assertThatThrownBy(() -> client.fetch(ExportRequest.days(DAY, DAY, true), spool("limited")))
                .isInstanceOf(MixpanelRateLimitedException.class)
                .hasMessageContaining("answered 429 to 3 requests of this run")
                .hasMessageContaining("too many export requests in progress");
        assertThat(sim.requestCount()).isEqualTo(3);
        assertThat(sleeper.waits).as("Retry-After honoured between them").containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(1));

        assertThatThrownBy(() -> client.fetch(ExportRequest.days(DAY.minusDays(1), DAY.minusDays(1), true), spool("next")))
                .isInstanceOf(MixpanelRateLimitedException.class);
        assertThat(sim.requestCount()).as("no request after the third rejection").isEqualTo(3);
    }

    @Test
    void exhaustedAttemptsOn429BeforeTheRunLimitThrowRateLimited() {
        for (int i = 0; i < 2; i++) {
            sim.faults().enqueue(Fault.tooManyRequests(1));
        }

        assertThatThrownBy(() -> client(projectSecret(PROJECT_SECRET), 2).fetch(ExportRequest.days(DAY, DAY, true),
                spool("limited")))
                .isInstanceOf(MixpanelRateLimitedException.class)
                .hasMessageContaining("failed after 2 attempts");
        assertThat(sim.requestCount()).isEqualTo(2);
    }

    @Test
    void failedRefetchInvalidatesTheEarlierCompleteSpool() {
        Spool spool = spool("refetch");
        client().fetch(ExportRequest.days(DAY, DAY, true), spool);
        assertThat(spool.isComplete()).isTrue();
        sim.faults().enqueue(Fault.cutMidStream());

        assertThatThrownBy(() -> client(projectSecret(PROJECT_SECRET), 1).fetch(ExportRequest.days(DAY, DAY, true), spool))
                .isInstanceOf(MixpanelUnavailableException.class);

        assertThat(spool.isComplete()).isFalse();
        assertThat(Files.exists(spool.dir().resolve("complete.json"))).isFalse();
    }

    @Test
    void stalledFirstByteTimesOutAndIsRetried() throws IOException {
        sim.faults().enqueue(Fault.slowFirstByte(Duration.ofMillis(2000)));
        HttpMixpanelExportClient client = new HttpMixpanelExportClient(settings(2, Duration.ofMillis(300)),
                projectSecret(PROJECT_SECRET), recorder, sleeper, ZoneOffset.UTC);
        Spool spool = spool("slow");
        long started = System.nanoTime();

        client.fetch(ExportRequest.days(DAY, DAY, true), spool);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(1800));
        assertThat(recorder.outcomes.get(0)).isEqualTo("0 timeout 0");
        assertThat(decodedLines(spool)).isEqualTo(sim.expectedLines(DAY, true));
    }

    @Test
    void unwritableSpoolIsNotRetriedAsACutStream() throws IOException {
        Path notADirectory = Files.writeString(tmp.resolve("file"), "x");
        Spool spool = new Spool(notADirectory.resolve("spool"));

        assertThatThrownBy(() -> client().fetch(ExportRequest.days(DAY, DAY, true), spool))
                .isInstanceOf(MixpanelUnavailableException.class)
                .hasMessageStartingWith("cannot write the spool of 2024-03-09 in " + spool.dir());
        assertThat(sim.requestCount()).isEqualTo(1);
        assertThat(sleeper.waits).isEmpty();
        assertThat(recorder.outcomes).containsExactly("200 spool-error 0");
    }

    // --- fatal failures ---

    @Test
    void refusedCredentialsAreFatalNamedBySourceAndNeverRetried() {
        String wrong = "wrong-secret-5d1e";
        HttpMixpanelExportClient client = client(projectSecret(wrong), 4);

        assertThatThrownBy(() -> client.fetch(ExportRequest.days(DAY, DAY, true), spool("auth")))
                .isInstanceOf(MixpanelAuthenticationException.class)
                .hasMessageContaining("environment variable MP_SECRET")
                .hasMessageContaining("HTTP 401")
                .hasMessageNotContaining(wrong);
        assertThat(sim.requestCount()).isEqualTo(1);
        assertThat(sleeper.waits).isEmpty();
        assertThat(recorder.outcomes).containsExactly("401 http-401 " + recorder.lastBytes);

        assertThatThrownBy(() -> client.fetch(ExportRequest.days(DAY.minusDays(1), DAY.minusDays(1), true), spool("again")))
                .isInstanceOf(MixpanelAuthenticationException.class)
                .hasMessageContaining("environment variable MP_SECRET")
                .hasMessageContaining("not requesting 2024-03-08")
                .hasMessageNotContaining(wrong);
        assertThat(sim.requestCount()).isEqualTo(1);
        assertThat(recorder.attempts).containsExactly(1);
    }

    @Test
    void serviceAccountWithoutAccessIsFatal() {
        HttpMixpanelExportClient client = new HttpMixpanelExportClient(new ClientSettings(sim.baseUri(), "999",
                Duration.ofSeconds(5), Duration.ofSeconds(10), 4, Duration.ofMillis(100), Duration.ofSeconds(2),
                ClientSettings.DEFAULT_MAX_LINE_BYTES), serviceAccount(SA_USER, SA_SECRET), recorder, sleeper,
                ZoneOffset.UTC);

        assertThatThrownBy(() -> client.fetch(ExportRequest.days(DAY, DAY, true), spool("403")))
                .isInstanceOf(MixpanelAuthenticationException.class)
                .hasMessageContaining("HTTP 403")
                .hasMessageContaining("project 999")
                .hasMessageContaining("environment variables SA_USER, SA_SECRET")
                .hasMessageNotContaining(SA_SECRET);
        assertThat(sim.requestCount()).isEqualTo(1);
    }

    @Test
    void paymentRequiredIsFatal() {
        sim.faults().enqueue(Fault.status(402));

        assertThatThrownBy(() -> client().fetch(ExportRequest.days(DAY, DAY, true), spool("402")))
                .isInstanceOf(MixpanelAuthenticationException.class)
                .hasMessageContaining("HTTP 402");
        assertThat(sim.requestCount()).isEqualTo(1);
    }

    @Test
    void otherBadRequestIsFatalButDoesNotBlockLaterRequests() {
        sim.faults().enqueue(Fault.status(400));
        HttpMixpanelExportClient client = client();

        assertThatThrownBy(() -> client.fetch(ExportRequest.days(DAY, DAY, true), spool("400")))
                .isInstanceOf(MixpanelRequestException.class)
                .hasMessageContaining("HTTP 400");
        assertThat(sim.requestCount()).isEqualTo(1);
        assertThat(sleeper.waits).isEmpty();

        client.fetch(ExportRequest.days(DAY, DAY, true), spool("ok"));
        assertThat(sim.requestCount()).isEqualTo(2);
    }

    @Test
    void toDateAfterTodayNamesTheTimezoneSetting() {
        HttpMixpanelExportClient client = new HttpMixpanelExportClient(settings(4, Duration.ofSeconds(10)),
                projectSecret(PROJECT_SECRET), recorder, sleeper, ZoneId.of("Pacific/Kiritimati"));
        LocalDate tomorrow = LocalDate.of(2024, 3, 11);

        assertThatThrownBy(() -> client.fetch(ExportRequest.days(tomorrow, tomorrow, true), spool("future")))
                .isInstanceOf(MixpanelRequestException.class)
                .hasMessageContaining("to_date 2024-03-11")
                .hasMessageContaining("mixpanel.timezone is Pacific/Kiritimati")
                .hasMessageContaining("HTTP 400");
        assertThat(sim.requestCount()).isEqualTo(1);
        assertThat(sleeper.waits).isEmpty();
    }

    // --- the request recorder ---

    @Test
    void everyRequestIsRecordedBeforeItIsSent() {
        sim.faults().enqueue(Fault.status(500)).enqueue(Fault.terminatedEarly());

        client().fetch(ExportRequest.days(DAY, DAY, true), spool("recorded"));

        assertThat(recorder.serverCountsAtBeforeSend).containsExactly(0, 1, 2);
        assertThat(recorder.ids).hasSize(3).doesNotHaveDuplicates();
        assertThat(recorder.completedIds).isEqualTo(recorder.ids);
        assertThat(recorder.windows).containsOnly("2024-03-09");
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** Remembers every wait instead of sleeping. */
    static final class RecordingSleeper implements Sleeper {
        final List<Duration> waits = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void sleep(Duration duration) {
            waits.add(duration);
        }
    }

    /** Records requests, and how many the simulator had already received when each was recorded. */
    static final class RecordingRecorder implements RequestRecorder {
        private final MixpanelSimulator sim;
        private final AtomicLong nextId = new AtomicLong(100);
        final List<Integer> attempts = new ArrayList<>();
        final List<Long> ids = new ArrayList<>();
        final List<String> windows = new ArrayList<>();
        final List<Integer> serverCountsAtBeforeSend = new ArrayList<>();
        final List<Long> completedIds = new ArrayList<>();
        final List<String> outcomes = new ArrayList<>();
        long lastBytes;

        RecordingRecorder(MixpanelSimulator sim) {
            this.sim = sim;
        }

        @Override
        public synchronized long beforeSend(ExportRequest request, int attempt) {
            long id = nextId.getAndIncrement();
            attempts.add(attempt);
            ids.add(id);
            windows.add(request.window());
            serverCountsAtBeforeSend.add(sim.requestCount());
            return id;
        }

        @Override
        public synchronized void completed(long requestId, int status, String outcome, long bytes) {
            completedIds.add(requestId);
            outcomes.add(status + " " + outcome + " " + bytes);
            lastBytes = bytes;
        }
    }
}
