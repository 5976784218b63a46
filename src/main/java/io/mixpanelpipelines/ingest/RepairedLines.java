package io.mixpanelpipelines.ingest;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Keeps the original of each line that was published in a repaired form (see
 * {@code ParsedEvent.repaired()}: broken surrogate escapes replaced by {@code \ufffd}), byte for byte, one
 * per line, in {@code <day>.lines}: the published day says how many there are, and this file says what
 * they were. Like {@link RejectedLines}, the file is cut back to a checkpoint's length on restart, so a
 * line is never recorded twice.
 *
 * <p>Lines {@linkplain #add added} since the last {@link #checkpoint()} are pending: {@link #count()} and
 * {@link #bytes()} are those of the last checkpoint, the values a step saves and resumes from. Not
 * thread-safe.
 */
public final class RepairedLines implements AutoCloseable {

    private final Path linesFile;
    private OutputStream lines;
    private long pendingCount;
    private long pendingBytes;
    private long count;
    private long bytes;

    public RepairedLines(Path dir, String day) {
        this.linesFile = dir.resolve(day + ".lines");
    }

    /** Truncates the file to a checkpoint's length and takes its count (0 and 0 for a fresh start). */
    public void resetTo(long checkpointCount, long checkpointBytes) throws IOException {
        if (lines != null) {
            throw new IllegalStateException("reset while open: close first");
        }
        RejectedLines.truncate(linesFile, checkpointBytes);
        count = pendingCount = checkpointCount;
        bytes = pendingBytes = checkpointBytes;
    }

    /** Appends an original line (pending until the next {@link #checkpoint()}). */
    public void add(byte[] buf, int start, int length) throws IOException {
        if (lines == null) {
            Files.createDirectories(linesFile.getParent());
            lines = new BufferedOutputStream(Files.newOutputStream(linesFile, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.APPEND));
        }
        lines.write(buf, start, length);
        lines.write('\n');
        pendingCount++;
        pendingBytes += length + 1L;
    }

    /** Flushes what was added to disk and makes it part of the checkpoint. */
    public void checkpoint() throws IOException {
        if (lines != null) {
            lines.flush();
        }
        count = pendingCount;
        bytes = pendingBytes;
    }

    /** Lines kept as of the last checkpoint. */
    public long count() {
        return count;
    }

    /** The file's length as of the last checkpoint. */
    public long bytes() {
        return bytes;
    }

    public Path linesFile() {
        return linesFile;
    }

    @Override
    public void close() throws IOException {
        if (lines != null) {
            try {
                lines.close();
            } finally {
                lines = null;
            }
        }
    }
}
