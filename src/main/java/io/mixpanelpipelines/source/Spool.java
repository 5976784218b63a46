package io.mixpanelpipelines.source;

import com.github.luben.zstd.ZstdInputStream;
import io.mixpanelpipelines.source.gzip.GzipDecoder;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;
import tools.jackson.databind.json.JsonMapper;

/**
 * The local copy of one export response, saved as it arrives so that converting, retrying a conversion
 * or restarting after a crash never spends another request. Layout of its folder:
 * <pre>
 *   body.part      the body being received (as sent: gzip or plain; a day split out of a window: zstd, plain
 *                  ({@link #IDENTITY}), or empty when the day was found unchanged: {@link #OMITTED})
 *   body           the complete body
 *   complete.json  {@link SpoolManifest}, written last; without it the spool is not trusted
 * </pre>
 * Malformed lines found while converting go to {@code _rejected/} beside the spool folders, and the
 * originals of lines published in a repaired form to {@code _repaired/}; both outlive the spools.
 * With a {@link SharedSpool} (remote workers), a body is uploaded there once complete, and a spool complete
 * only there is downloaded before it is read, so whichever worker converts the day spends no request.
 * Not thread-safe: one window is fetched and converted by one worker at a time.
 */
public final class Spool {

    /** Encoding of a body stored as zstd: a day's spool split out of a window ({@code WindowSplitter}). */
    public static final String ZSTD = "zstd";

    /**
     * Encoding of a body stored as plain lines: a body sent without compression, or the one new day split out of
     * a window whose other days are held back ({@code WindowSplitter}: read back at once, compressing it would
     * only cost CPU).
     */
    public static final String IDENTITY = "identity";

    /**
     * Encoding of a day's spool whose body was not kept: a published day split out of a window and found
     * unchanged (its manifest carries the content hash). It has no lines to read; if the day must be converted
     * after all, it is fetched again.
     */
    public static final String OMITTED = "omitted";

    private static final JsonMapper JSON = JsonMapper.builder().findAndAddModules().build();

    private final Path dir;
    private final SharedSpool shared;

    public Spool(Path dir) {
        this(dir, null);
    }

    /** @param shared the spool's copy in shared storage; null: this local folder only */
    public Spool(Path dir, SharedSpool shared) {
        this.dir = dir;
        this.shared = shared;
    }

    public Path dir() {
        return dir;
    }

    /** Whether the body is uploaded to shared storage once complete ({@code export.spoolUri}), not only kept here. */
    public boolean isShared() {
        return shared != null;
    }

    /** Whether the body was received completely (the stream ended cleanly, without {@code terminated early}). */
    public boolean isComplete() {
        if (isCompleteHere()) {
            return true;
        }
        try {
            return shared != null && shared.isComplete();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the shared spool " + shared + ": " + e.getMessage(), e);
        }
    }

    private boolean isCompleteHere() {
        return Files.isRegularFile(dir.resolve("complete.json")) && Files.isRegularFile(dir.resolve("body"));
    }

    /** Downloads the shared copy when only it is complete (another process received the body). */
    private void localize() {
        if (shared == null || isCompleteHere()) {
            return;
        }
        try {
            shared.download(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot download the shared spool " + shared + ": " + e.getMessage(), e);
        }
    }

    /** The manifest of a complete spool. */
    public SpoolManifest manifest() {
        localize();
        try {
            return JSON.readValue(dir.resolve("complete.json").toFile(), SpoolManifest.class);
        } catch (RuntimeException e) {
            throw new IllegalStateException("spool " + dir + " has an unreadable complete.json", e);
        }
    }

    /** Starts (or restarts) receiving a body: anything received before is dropped. */
    public OutputStream beginBody() throws IOException {
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve("complete.json"));
        Files.deleteIfExists(dir.resolve("body"));
        return Files.newOutputStream(dir.resolve("body.part"), StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    }

    /**
     * Marks the received body complete: forces it to disk, renames it and writes the manifest last, so a
     * crash at any point leaves either a complete spool or one that is fetched again.
     */
    public void commit(SpoolManifest manifest) throws IOException {
        Path part = dir.resolve("body.part");
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(part, dir.resolve("body"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Path tmp = dir.resolve("complete.json.tmp");
        Files.write(tmp, JSON.writeValueAsBytes(manifest));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, dir.resolve("complete.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (shared != null) {
            // before the step goes on: a worker killed from here on leaves a body any other worker can read
            shared.upload(dir);
        }
    }

    /** Opens the decoded body of a complete spool: newline-delimited JSON. */
    public InputStream openLines() throws IOException {
        SpoolManifest m = manifest(); // downloads a spool complete only in shared storage
        if (OMITTED.equals(m.encoding())) {
            throw new IllegalStateException(this + " kept no body (its day was found unchanged)");
        }
        if ("gzip".equals(m.encoding())) {
            return GzipDecoder.open(dir.resolve("body"), 1 << 16);
        }
        InputStream in = Files.newInputStream(dir.resolve("body"));
        if (ZSTD.equals(m.encoding())) {
            return new ZstdInputStream(new BufferedInputStream(in, 1 << 16));
        }
        return new BufferedInputStream(in, 1 << 16);
    }

    /** Folder for malformed lines, beside the spools (kept when a spool is deleted). */
    public Path rejectedDir() {
        return dir.resolveSibling("_rejected");
    }

    /** Folder for the originals of repaired lines, beside the spools (kept when a spool is deleted). */
    public Path repairedDir() {
        return dir.resolveSibling("_repaired");
    }

    /** An identity of the received body, so a checkpoint made on one body is never applied to another. */
    public String bodyId() {
        SpoolManifest m = manifest();
        return m.completedAt().toEpochMilli() + "-" + m.bodyBytes();
    }

    /** Deletes the whole spool (after its days are published, or before an operator's rerun). */
    public void delete() {
        if (shared != null) {
            try {
                shared.delete();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete the shared spool " + shared, e);
            }
        }
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete spool " + dir, e);
        }
    }

    /** Creates a manifest for a body just received. */
    public static SpoolManifest manifest(String window, String encoding, long bodyBytes, long lines, long decodedBytes) {
        return new SpoolManifest(window, encoding, bodyBytes, lines, decodedBytes, Instant.now());
    }

    @Override
    public String toString() {
        return "spool " + dir;
    }
}
