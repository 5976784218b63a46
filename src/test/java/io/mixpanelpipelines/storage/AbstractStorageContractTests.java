package io.mixpanelpipelines.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every behaviour the writer and the publish step rely on, written once; each backend subclasses it
 * (local disk, S3 against a real S3 server, GCS against its in-memory fake) and declares its quirks.
 */
public abstract class AbstractStorageContractTests {

    /** The storage under test. */
    protected abstract Storage storage();

    /** A location no other test writes below. */
    protected abstract Location root();

    /** Bytes that span several upload parts or chunks of this backend. */
    protected abstract int multiPartSize();

    @Test
    void aWrittenFileReadsBackAndIsListedWithItsSize() throws IOException {
        Location f = root().resolve("a", "file.bin");
        byte[] data = "hello, storage".getBytes(StandardCharsets.UTF_8);

        write(f, data);

        assertThat(storage().exists(f)).isTrue();
        assertThat(read(f)).isEqualTo(data);
        assertThat(storage().list(root())).containsExactly(new FileEntry(f, data.length));
    }

    @Test
    void anEmptyFileIsAFile() throws IOException {
        Location f = root().resolve("empty");

        write(f, new byte[0]);

        assertThat(storage().exists(f)).isTrue();
        assertThat(read(f)).isEmpty();
    }

    @Test
    void aStreamKnowsItsPositionAndNothingIsVisibleBeforeClose() throws IOException {
        Location f = root().resolve("pos.bin");
        PositionOutputStream out = storage().newOutputFile(f).create();
        out.write(1);
        out.write(new byte[10], 2, 5);
        assertThat(out.getPos()).isEqualTo(6);
        if (unfinishedWritesAreInvisible()) {
            assertThat(storage().exists(f)).isFalse();
            assertThat(storage().list(root())).isEmpty();
        }

        out.close();

        assertThat(storage().exists(f)).isTrue();
        assertThat(out.getPos()).isEqualTo(6);
    }

    @Test
    void aLargeFileSpanningSeveralPartsRoundTrips() throws Exception {
        Location f = root().resolve("large.bin");
        byte[] data = randomBytes(multiPartSize(), 7);

        PositionOutputStream out = storage().newOutputFile(f).create();
        // odd-sized writes, so part boundaries fall inside them
        for (int off = 0; off < data.length; off += 100_003) {
            out.write(data, off, Math.min(100_003, data.length - off));
        }
        out.close();

        assertThat(sha256(read(f))).isEqualTo(sha256(data));
        assertThat(storage().list(root())).containsExactly(new FileEntry(f, data.length));
    }

    @Test
    void anAbortedFileNeverAppearsAndAbortIsIdempotent() throws IOException {
        Location f = root().resolve("aborted.bin");
        PositionOutputStream out = storage().newOutputFile(f).create();
        out.write(randomBytes(multiPartSize(), 3));

        out.abort();
        out.abort();
        out.close();

        if (unfinishedWritesAreInvisible()) {
            assertThat(storage().exists(f)).isFalse();
            assertThat(storage().list(root())).isEmpty();
        }
        assertNoIncompleteUploads();
    }

    @Test
    void anAbortedOverwriteKeepsTheOldFile() throws IOException {
        Location f = root().resolve("kept.bin");
        write(f, "old".getBytes(StandardCharsets.UTF_8));
        PositionOutputStream out = storage().newOutputFile(f).create();
        out.write("new".getBytes(StandardCharsets.UTF_8));

        out.abort();

        assertThat(read(f)).isEqualTo("old".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void closingReplacesAnExistingFile() throws IOException {
        Location f = root().resolve("over.bin");
        write(f, randomBytes(1000, 1));
        byte[] second = randomBytes(10, 2);

        write(f, second);

        assertThat(read(f)).isEqualTo(second);
        assertThat(storage().list(root())).containsExactly(new FileEntry(f, 10));
    }

    @Test
    void listIsRecursiveAndStopsAtTheFolderBoundary() throws IOException {
        Location dir = root().resolve("day=1");
        write(dir.resolve("p1"), new byte[1]);
        write(dir.resolve("sub", "p2"), new byte[2]);
        write(root().resolve("day=10", "p3"), new byte[3]);
        write(root().resolve("day=1.txt"), new byte[4]);

        Map<Location, Long> listed = new HashMap<>();
        storage().list(dir).forEach(e -> listed.put(e.location(), e.size()));

        assertThat(listed).containsOnly(Map.entry(dir.resolve("p1"), 1L), Map.entry(dir.resolve("sub", "p2"), 2L));
        assertThat(storage().list(root().resolve("nothing-here"))).isEmpty();
    }

    @Test
    void deleteRemovesAFileAndAMissingFileIsNoError() throws IOException {
        Location f = root().resolve("d", "gone.bin");
        write(f, new byte[5]);

        storage().delete(f);
        storage().delete(f);
        storage().delete(root().resolve("never", "was"));

        assertThat(storage().exists(f)).isFalse();
        assertThat(storage().list(root())).isEmpty();
    }

    @Test
    void openingAMissingFileThrowsNoSuchFile() {
        assertThatThrownBy(() -> storage().open(root().resolve("missing")).close())
                .isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void moveReplacesTheTargetAndRemovesTheSource() throws IOException {
        Location from = root().resolve("_staging", "part-0");
        Location to = root().resolve("events", "part-0");
        write(to, "old".getBytes(StandardCharsets.UTF_8));
        write(from, "new".getBytes(StandardCharsets.UTF_8));

        storage().move(from, to);

        assertThat(storage().exists(from)).isFalse();
        assertThat(read(to)).isEqualTo("new".getBytes(StandardCharsets.UTF_8));
        assertThat(storage().list(root())).containsExactly(new FileEntry(to, 3));
    }

    @Test
    void movingAMissingFileThrowsNoSuchFile() {
        assertThatThrownBy(() -> storage().move(root().resolve("nope"), root().resolve("target")))
                .isInstanceOf(NoSuchFileException.class);
    }

    /**
     * Whether a file stays invisible until its stream closes, and forever when it is aborted. True of
     * every real backend; a fake may declare otherwise.
     */
    protected boolean unfinishedWritesAreInvisible() {
        return true;
    }

    /** Backends with server-side upload sessions check that none is left behind. */
    protected void assertNoIncompleteUploads() throws IOException {
    }

    protected void write(Location f, byte[] data) throws IOException {
        PositionOutputStream out = storage().newOutputFile(f).create();
        out.write(data);
        out.close();
    }

    protected byte[] read(Location f) throws IOException {
        try (InputStream in = storage().open(f)) {
            return in.readAllBytes();
        }
    }

    protected static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    protected static String sha256(byte[] b) throws Exception {
        return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
