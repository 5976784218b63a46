package io.mixpanelpipelines.ingest;

import com.github.luben.zstd.ZstdOutputStream;
import io.mixpanelpipelines.source.Spool;
import io.mixpanelpipelines.source.SpoolManifest;
import io.mixpanelpipelines.storage.CountingOutputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * One day of a window being split ({@link WindowSplitter}): counts its lines and bytes, the rows its
 * conversion will publish with the sum of their {@link LineHash}es, and the lines it will reject. A day
 * that writes its spool does so as zstd at level 1 into {@code body.part}, or as plain lines when it is to be
 * read back at once ({@link Spool#IDENTITY}); a day held back writes nothing (it is only counted), since it is
 * expected to be found unchanged and then never converted. Not thread-safe.
 */
final class SplitDay {

    private final Spool spool;
    private boolean writes;
    private final boolean compressed;
    private CountingOutputStream file;
    /** Buffered (in front of the compressor: a line and its newline are one native call, not two). */
    private OutputStream body;
    private long lines;
    private long decodedBytes;
    private long rows;
    private long hashSum;
    private long unpublishable;
    /** Whether every line written was parsed: only then are {@link #rows} and {@link #unpublishable} what a conversion finds. */
    private boolean measured = true;

    /** A day written as zstd, or held back ({@code writes} false: counted, no spool written). */
    SplitDay(Spool spool, boolean writes) throws IOException {
        this(spool, writes, true);
    }

    /**
     * @param writes false to hold the day back: count it, write no spool
     * @param compressed false to write the spool as plain lines
     */
    SplitDay(Spool spool, boolean writes, boolean compressed) throws IOException {
        this.spool = spool;
        this.writes = writes;
        this.compressed = compressed;
        if (writes) {
            open();
        }
    }

    private void open() throws IOException {
        this.file = new CountingOutputStream(spool.beginBody());
        this.body = new BufferedOutputStream(compressed ? new ZstdOutputStream(file, 1) : file, 1 << 16);
    }

    boolean writes() {
        return writes;
    }

    /** Forgets everything (a download attempt was given up): the day starts over, empty. */
    void restart() throws IOException {
        lines = 0;
        decodedBytes = 0;
        rows = 0;
        hashSum = 0;
        unpublishable = 0;
        measured = true;
        if (writes) {
            closeQuietly();
            open();
        }
    }

    /**
     * A line whose event falls on this day: a row of the day. {@code parsed} is false for a line whose day was
     * read without parsing it ({@link io.mixpanelpipelines.convert.json.EventDayPeek}): it may still be one the
     * conversion rejects, so a day written with such a line carries no content hash in its manifest.
     */
    void writePublishable(byte[] b, int off, int len, long hash, boolean parsed) throws IOException {
        measured &= parsed || !writes;
        rows++;
        hashSum += hash;
        write(b, off, len);
    }

    /** A line this day's conversion will reject (and keep). */
    void writeUnpublishable(byte[] b, int off, int len) throws IOException {
        unpublishable++;
        write(b, off, len);
    }

    private void write(byte[] b, int off, int len) throws IOException {
        if (writes) {
            body.write(b, off, len);
            body.write('\n');
        }
        lines++;
        decodedBytes += len + 1L;
    }

    /** Appends a line kept in a file of its own, streamed: it is too long to hold in memory (and rejected). */
    void writeUnpublishable(Path line) throws IOException {
        unpublishable++;
        long n;
        if (writes) {
            try (InputStream in = Files.newInputStream(line)) {
                n = in.transferTo(body);
            }
            body.write('\n');
        } else {
            n = Files.size(line);
        }
        lines++;
        decodedBytes += n + 1L;
    }

    /**
     * The content hash the day's conversion would publish; for a day written with lines only peeked (not
     * {@link #measured}: their hashes are 0), meaningless.
     */
    String contentHash() {
        return LineHash.format(rows, hashSum);
    }

    long unpublishable() {
        return unpublishable;
    }

    /** Whether a held-back day turned out to be {@code published}: no line to reject, the same content hash. */
    boolean isUnchanged(String published) {
        return unpublishable == 0 && contentHash().equals(published);
    }

    /**
     * Holds a written day back after all (it turned out unchanged): what it wrote is dropped, and it commits
     * as a day held back would, with the same counts.
     */
    void omit() {
        closeQuietly();
        writes = false;
    }

    /** Whether the counts are what the conversion finds: every line written was parsed (a day held back: always). */
    boolean measured() {
        return measured;
    }

    /** Ends the written body (before {@link #commit}). */
    void close() throws IOException {
        if (writes) {
            body.close();
        }
    }

    void closeQuietly() {
        if (body != null) {
            try {
                body.close();
            } catch (IOException ignored) {
                // the day spool stays incomplete: it is split again
            }
        }
    }

    /**
     * Commits the day's spool: its zstd or plain body, or, for a day held back and found unchanged, an empty body
     * marked {@link Spool#OMITTED}, whose manifest still carries the counts and the content hash.
     */
    void commit(String window, Instant completedAt) throws IOException {
        long bodyBytes;
        String encoding;
        if (writes) {
            bodyBytes = file.count();
            encoding = compressed ? Spool.ZSTD : Spool.IDENTITY;
        } else {
            spool.beginBody().close();
            bodyBytes = 0;
            encoding = Spool.OMITTED;
        }
        spool.commit(new SpoolManifest(window, encoding, bodyBytes, lines, decodedBytes,
                completedAt, measured ? contentHash() : null, measured ? unpublishable : null));
    }
}
