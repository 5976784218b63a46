package io.mixpanelpipelines.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mixpanelpipelines.source.BodySink;
import io.mixpanelpipelines.source.ExportRequest;
import io.mixpanelpipelines.source.MixpanelExportClient;
import io.mixpanelpipelines.source.MixpanelUnavailableException;
import io.mixpanelpipelines.source.Spool;
import io.mixpanelpipelines.source.SpoolManifest;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hand-over between a download and the conversion reading it: attempts, their end, their abandonment
 * and a final failure. The client here is a stand-in that drives the sink the way the HTTP client does;
 * the HTTP client itself with the simulator's faults is covered by the export integration tests.
 */
class StreamedFetchTests {

    private static final LocalDate DAY = LocalDate.of(2026, 1, 2);
    private static final ExportRequest REQUEST = new ExportRequest(DAY, DAY, List.of(), null, null, false);
    private static final SpoolManifest MANIFEST = new SpoolManifest("2026-01-02", "gzip", 10, 2, 8, Instant.EPOCH);

    @TempDir
    Path tmp;

    private StreamedFetch start(MixpanelExportClient client) {
        return new StreamedFetch(client, REQUEST, new Spool(tmp.resolve("spool")), new Semaphore(1), "test");
    }

    private static void write(BodySink sink, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        sink.write(b, 0, b.length);
    }

    @Test
    void anAttemptEndsOnlyOnceTheSpoolIsCommittedAndAnAbandonedOneIsReplacedByTheNext() throws Exception {
        MixpanelExportClient client = (request, spool, sink) -> {
            sink.begin();
            write(sink, "{\"event\":\"a\"}\n{\"event\":");
            sink.abandon("body cut after 20 bytes");
            sink.begin();
            write(sink, "{\"event\":\"a\"}\n");
            write(sink, "{\"event\":\"b\"}\n");
            sink.complete(MANIFEST);
            return MANIFEST;
        };
        try (StreamedFetch fetch = start(client)) {
            InputStream first = fetch.nextAttempt();
            assertThatThrownBy(first::readAllBytes).isInstanceOf(StreamedFetch.AttemptAbandonedException.class)
                    .hasMessageContaining("body cut after 20 bytes");

            InputStream second = fetch.nextAttempt();

            assertThat(new String(second.readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("{\"event\":\"a\"}\n{\"event\":\"b\"}\n");
            assertThat(fetch.manifest()).isEqualTo(MANIFEST);
        }
    }

    @Test
    void aWatcherIsToldEverythingTheDownloadTellsInOrder() throws Exception {
        MixpanelExportClient client = (request, spool, sink) -> {
            sink.begin();
            write(sink, "{\"event\":");
            sink.abandon("cut");
            sink.begin();
            byte[] lent = sink.buffer(); // decoded into the stream's own chunk, as the HTTP client does
            byte[] line = "{\"event\":\"a\"}\n".getBytes(StandardCharsets.UTF_8);
            System.arraycopy(line, 0, lent, 0, line.length);
            sink.write(lent, 0, line.length);
            sink.complete(MANIFEST);
            return MANIFEST;
        };
        StringBuilder told = new StringBuilder();
        BodySink watcher = new BodySink() {
            @Override
            public void begin() {
                told.append("begin|");
            }

            @Override
            public void write(byte[] b, int off, int len) {
                told.append(new String(b, off, len, StandardCharsets.UTF_8)).append('|');
            }

            @Override
            public void complete(SpoolManifest manifest) {
                told.append("complete ").append(manifest.window());
            }

            @Override
            public void abandon(String reason) {
                told.append("abandon ").append(reason).append('|');
            }
        };
        try (StreamedFetch fetch = new StreamedFetch(client, REQUEST, new Spool(tmp.resolve("spool")), new Semaphore(1),
                "test", watcher)) {
            assertThatThrownBy(fetch.nextAttempt()::readAllBytes).isInstanceOf(StreamedFetch.AttemptAbandonedException.class);
            assertThat(new String(fetch.nextAttempt().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("{\"event\":\"a\"}\n");
        }
        assertThat(told.toString()).isEqualTo("begin|{\"event\":|abandon cut|begin|{\"event\":\"a\"}\n|complete 2026-01-02");
    }

    @Test
    void aFetchThatFailsForGoodFailsTheReaderWithTheClientsException() throws Exception {
        MixpanelExportClient client = (request, spool, sink) -> {
            sink.begin();
            write(sink, "{\"event\":\"a\"}\n");
            sink.abandon("HTTP 503");
            throw new MixpanelUnavailableException("export of 2026-01-02 failed after 5 attempts; last: HTTP 503");
        };
        try (StreamedFetch fetch = start(client)) {
            InputStream first = fetch.nextAttempt();
            assertThatThrownBy(first::readAllBytes).isInstanceOf(StreamedFetch.AttemptAbandonedException.class);

            assertThatThrownBy(fetch::nextAttempt).isInstanceOf(MixpanelUnavailableException.class)
                    .hasMessageContaining("after 5 attempts");
            assertThatThrownBy(fetch::nextAttempt).as("and again").isInstanceOf(MixpanelUnavailableException.class);
        }
    }

    @Test
    void aRequestStillWaitingForASlotIsNotSentOnceTheConversionStops() throws Exception {
        AtomicBoolean requested = new AtomicBoolean();
        MixpanelExportClient client = (request, spool, sink) -> {
            requested.set(true);
            return MANIFEST;
        };
        Semaphore noSlot = new Semaphore(0); // every slot held by other days
        StreamedFetch fetch = new StreamedFetch(client, REQUEST, new Spool(tmp.resolve("spool")), noSlot, "test");

        fetch.close();
        noSlot.release(); // a slot frees up after the conversion stopped

        assertThat(requested).as("no request for a conversion that is gone").isFalse();
        assertThatThrownBy(fetch::nextAttempt).hasMessageContaining("its conversion stopped");
        assertThat(noSlot.availablePermits()).as("the slot is not kept").isEqualTo(1);
    }

    @Test
    void lentBuffersAndCopiedPiecesArriveIntactAndInOrder() throws Exception {
        byte[] body = new byte[3 << 20]; // more than the queue holds
        new java.util.Random(11).nextBytes(body);
        AtomicBoolean lentAny = new AtomicBoolean();
        MixpanelExportClient client = (request, spool, sink) -> {
            sink.begin();
            java.util.Random sizes = new java.util.Random(12);
            byte[] own = new byte[100_000];
            int at = 0;
            while (at < body.length) {
                // as the HTTP client does: decode into the sink's buffer when it lends one; here about
                // one piece in three does, the others go through the caller's own array (the copying path)
                byte[] lent = at % 3 == 0 ? sink.buffer() : null;
                byte[] buf = lent == null ? own : lent;
                lentAny.compareAndSet(false, lent != null);
                int n = Math.min(body.length - at, 1 + sizes.nextInt(buf.length));
                System.arraycopy(body, at, buf, 0, n);
                sink.write(buf, 0, n);
                java.util.Arrays.fill(own, (byte) 0); // the caller reuses its own array at once
                at += n;
            }
            sink.complete(MANIFEST);
            return MANIFEST;
        };
        try (StreamedFetch fetch = start(client)) {
            byte[] read = fetch.nextAttempt().readAllBytes();
            assertThat(read).isEqualTo(body);
        }
        assertThat(lentAny).as("the sink lent buffers").isTrue();
    }

    @Test
    void theLineReaderTakesTheChunksAsTheyCameAndSplitsLinesAcrossThem() throws Exception {
        StringBuilder text = new StringBuilder();
        java.util.Random random = new java.util.Random(13);
        List<String> expected = new java.util.ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            String line = "{\"n\":" + i + ",\"pad\":\"" + "x".repeat(random.nextInt(300)) + "\"}";
            expected.add(line);
            text.append(line).append('\n');
        }
        byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
        MixpanelExportClient client = (request, spool, sink) -> {
            sink.begin();
            java.util.Random sizes = new java.util.Random(14);
            int at = 0;
            while (at < body.length) {
                byte[] lent = sink.buffer();
                byte[] buf = lent != null && sizes.nextBoolean() ? lent : new byte[1000];
                int n = Math.min(body.length - at, 1 + sizes.nextInt(buf.length));
                System.arraycopy(body, at, buf, 0, n);
                sink.write(buf, 0, n);
                at += n;
            }
            sink.complete(MANIFEST);
            return MANIFEST;
        };
        List<String> lines = new java.util.ArrayList<>();
        try (StreamedFetch fetch = start(client);
                SpoolLineReader reader = new SpoolLineReader(fetch.nextAttempt(), 0, 1, 1 << 16, 1 << 20)) {
            for (LineBatch b = reader.next(); !b.isEnd(); b = reader.next()) {
                for (int i = 0; i < b.size(); i++) {
                    lines.add(new String(b.buffer(), b.start(i), b.length(i), StandardCharsets.UTF_8));
                }
                reader.recycle(b);
            }
        }
        assertThat(lines).isEqualTo(expected);
    }

    @Test
    void aConsumerThatStopsEarlyDoesNotStopTheDownloadWhichCloseWaitsFor() throws Exception {
        AtomicBoolean finished = new AtomicBoolean();
        CountDownLatch begun = new CountDownLatch(1);
        MixpanelExportClient client = (request, spool, sink) -> {
            sink.begin();
            begun.countDown();
            byte[] chunk = new byte[1 << 16];
            for (int i = 0; i < 4 * StreamedFetch.QUEUED_CHUNKS; i++) { // far more than the queue holds
                sink.write(chunk, 0, chunk.length);
            }
            sink.complete(MANIFEST);
            finished.set(true);
            return MANIFEST;
        };
        StreamedFetch fetch = start(client);
        InputStream attempt = fetch.nextAttempt();
        assertThat(begun.await(5, TimeUnit.SECONDS)).isTrue();
        attempt.read(new byte[10]);

        attempt.close(); // the conversion failed and went away
        fetch.close();

        assertThat(finished).as("the paid-for download ran to its end").isTrue();
    }
}
