package io.mixpanelpipelines.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTests {

    @TempDir
    Path tmp;

    private static final byte[] TEXT = "{\"event\":\"a\"}\n{\"event\":\"b\"}\n".getBytes(StandardCharsets.UTF_8);

    private static void write(Spool spool, byte[] body) throws IOException {
        try (OutputStream out = spool.beginBody()) {
            out.write(body);
        }
    }

    @Test
    void bodyIsCompleteOnlyAfterCommit() throws IOException {
        Spool spool = new Spool(tmp.resolve("job/2024-03-09_2024-03-09"));
        assertThat(spool.isComplete()).isFalse();

        write(spool, TEXT);
        assertThat(spool.isComplete()).isFalse();
        assertThat(spool.dir().resolve("body.part")).exists();

        SpoolManifest manifest = Spool.manifest("2024-03-09", "identity", TEXT.length, 2, TEXT.length);
        spool.commit(manifest);

        assertThat(spool.isComplete()).isTrue();
        assertThat(spool.manifest()).isEqualTo(manifest);
        assertThat(spool.dir().resolve("body.part")).doesNotExist();
        assertThat(spool.dir().resolve("complete.json.tmp")).doesNotExist();
        assertThat(spool.bodyId()).isEqualTo(manifest.completedAt().toEpochMilli() + "-" + TEXT.length);
        try (InputStream in = spool.openLines()) {
            assertThat(in.readAllBytes()).isEqualTo(TEXT);
        }
    }

    @Test
    void aSpoolCompletedByOneProcessIsReadByAnotherThroughSharedStorage() throws IOException {
        io.mixpanelpipelines.storage.Storage shared = new io.mixpanelpipelines.storage.local.LocalStorage();
        io.mixpanelpipelines.storage.Location uri = io.mixpanelpipelines.storage.Location.of(tmp.resolve("shared"));
        SpoolStore first = new SpoolStore(tmp.resolve("worker-a"), "job", shared, uri);
        SpoolStore second = new SpoolStore(tmp.resolve("worker-b"), "job", shared, uri);
        ExportRequest request = new ExportRequest(java.time.LocalDate.parse("2024-03-09"), java.time.LocalDate.parse("2024-03-09"),
                java.util.List.of(), null, null, true);
        Spool received = first.forRequest(request);
        Spool elsewhere = second.forRequest(request);

        write(received, TEXT);
        assertThat(elsewhere.isComplete()).as("a body being received is not shared").isFalse();
        SpoolManifest manifest = Spool.manifest("2024-03-09", "identity", TEXT.length, 2, TEXT.length);
        received.commit(manifest);

        assertThat(tmp.resolve("shared/job/2024-03-09_2024-03-09/complete.json")).exists();
        assertThat(elsewhere.dir()).doesNotExist();
        assertThat(elsewhere.isComplete()).isTrue();
        assertThat(elsewhere.manifest()).isEqualTo(manifest);
        assertThat(elsewhere.bodyId()).as("the same body: a checkpoint made on it applies").isEqualTo(received.bodyId());
        try (InputStream in = elsewhere.openLines()) {
            assertThat(in.readAllBytes()).isEqualTo(TEXT);
        }
        assertThat(elsewhere.dir().resolve("body")).as("downloaded once, then read locally").exists();

        elsewhere.delete();
        assertThat(tmp.resolve("shared/job/2024-03-09_2024-03-09/complete.json")).doesNotExist();
        assertThat(received.dir()).exists();
        Spool third = new SpoolStore(tmp.resolve("worker-c"), "job", shared, uri).forRequest(request);
        assertThat(third.isComplete()).as("deleted everywhere it is shared").isFalse();
    }

    @Test
    void aDaySpoolKeepsItsContentHashAndAnOlderManifestReadsWithout() throws IOException {
        Spool spool = new Spool(tmp.resolve("day"));
        write(spool, TEXT);
        SpoolManifest withHash = new SpoolManifest("w", "identity", TEXT.length, 2, TEXT.length,
                java.time.Instant.parse("2026-01-02T03:04:05.678Z"), "2:1f", 1L);
        spool.commit(withHash);
        assertThat(spool.manifest()).isEqualTo(withHash);

        // complete.json as versions before the content hash wrote it
        Files.writeString(spool.dir().resolve("complete.json"), "{\"window\":\"w\",\"encoding\":\"identity\","
                + "\"bodyBytes\":28,\"lines\":2,\"decodedBytes\":28,\"completedAt\":\"2026-01-02T03:04:05.678Z\"}");

        SpoolManifest old = spool.manifest();
        assertThat(old.contentHash()).isNull();
        assertThat(old.unpublishableLines()).isNull();
        assertThat(old.lines()).isEqualTo(2);
        assertThat(spool.bodyId()).isEqualTo("1767323045678-28");
    }

    @Test
    void gzipBodyIsDecodedWhenRead() throws IOException {
        Spool spool = new Spool(tmp.resolve("gz"));
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(TEXT);
        }
        write(spool, gz.toByteArray());
        spool.commit(Spool.manifest("w", "gzip", gz.size(), 2, TEXT.length));

        assertThat(Files.readAllBytes(spool.dir().resolve("body"))).isEqualTo(gz.toByteArray());
        try (InputStream in = spool.openLines()) {
            assertThat(in.readAllBytes()).isEqualTo(TEXT);
        }
    }

    @Test
    void beginningAgainDropsTheCompleteBody() throws IOException {
        Spool spool = new Spool(tmp.resolve("again"));
        write(spool, TEXT);
        spool.commit(Spool.manifest("w", "identity", TEXT.length, 2, TEXT.length));

        write(spool, "partial".getBytes(StandardCharsets.UTF_8));

        assertThat(spool.isComplete()).isFalse();
        assertThat(spool.dir().resolve("complete.json")).doesNotExist();
        assertThat(spool.dir().resolve("body")).doesNotExist();
        assertThat(spool.dir().resolve("body.part")).hasContent("partial");
    }

    @Test
    void deleteRemovesTheSpoolButNotTheRejectedLines() throws IOException {
        Spool spool = new Spool(tmp.resolve("job/w1"));
        write(spool, TEXT);
        spool.commit(Spool.manifest("w", "identity", TEXT.length, 2, TEXT.length));
        Files.createDirectories(spool.rejectedDir());
        Files.createDirectories(spool.repairedDir());

        spool.delete();
        spool.delete();

        assertThat(spool.dir()).doesNotExist();
        assertThat(spool.rejectedDir()).isEqualTo(tmp.resolve("job/_rejected")).isDirectory();
        assertThat(spool.repairedDir()).isEqualTo(tmp.resolve("job/_repaired")).isDirectory();
    }
}
