package io.mixpanelpipelines.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Keeps a day's malformed lines, losslessly: {@code <day>.lines} holds each rejected line byte for byte,
 * {@code <day>.reasons} a tab-separated row per line (line number, offset of its first byte in the decoded
 * body, reason). Both are
 * truncated back to a checkpoint's lengths on restart, so a line is never recorded twice. Not thread-safe.
 */
public final class RejectedLines implements AutoCloseable {

    private final Path linesFile;
    private final Path reasonsFile;
    private OutputStream lines;
    private OutputStream reasons;
    private long linesBytes;
    private long reasonsBytes;

    public RejectedLines(Path dir, String day) {
        this.linesFile = dir.resolve(day + ".lines");
        this.reasonsFile = dir.resolve(day + ".reasons");
    }

    /** Truncates both files to a checkpoint's lengths (0 and 0 for a fresh start). */
    public void resetTo(long linesLength, long reasonsLength) throws IOException {
        truncate(linesFile, linesLength);
        truncate(reasonsFile, reasonsLength);
        linesBytes = linesLength;
        reasonsBytes = reasonsLength;
    }

    public void add(long lineNumber, long offset, String reason, byte[] buf, int start, int length) throws IOException {
        open();
        if (length >= 0) {
            lines.write(buf, start, length);
            lines.write('\n');
            linesBytes += length + 1L;
        }
        addReason(lineNumber, offset, reason);
    }

    private void addReason(long lineNumber, long offset, String reason) throws IOException {
        byte[] row = (lineNumber + "\t" + offset + "\t" + reason.replace('\t', ' ').replace('\n', ' ') + "\n")
                .getBytes(StandardCharsets.UTF_8);
        reasons.write(row);
        reasonsBytes += row.length;
    }

    /**
     * Moves a line the reader streamed to a file of its own (too long to hold in memory) into the kept lines,
     * byte for byte, then deletes that file.
     */
    public void addFrom(long lineNumber, long offset, String reason, Path lineFile) throws IOException {
        open();
        long length;
        try (InputStream in = Files.newInputStream(lineFile)) {
            length = in.transferTo(lines);
        }
        lines.write('\n');
        linesBytes += length + 1L;
        addReason(lineNumber, offset, reason);
        Files.delete(lineFile);
    }

    /** Flushes to disk so the lengths recorded in a checkpoint are really there. */
    public void flush() throws IOException {
        if (lines != null) {
            lines.flush();
            reasons.flush();
        }
    }

    public long linesBytes() {
        return linesBytes;
    }

    public long reasonsBytes() {
        return reasonsBytes;
    }

    public Path reasonsFile() {
        return reasonsFile;
    }

    private void open() throws IOException {
        if (lines == null) {
            Files.createDirectories(linesFile.getParent());
            lines = new java.io.BufferedOutputStream(Files.newOutputStream(linesFile, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.APPEND));
            reasons = new java.io.BufferedOutputStream(Files.newOutputStream(reasonsFile, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.APPEND));
        }
    }

    /** Cuts {@code file} back to {@code length} bytes; deletes it at 0; nothing when it does not exist. */
    static void truncate(Path file, long length) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        if (length == 0) {
            Files.delete(file);
            return;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(length);
        }
    }

    @Override
    public void close() throws IOException {
        if (lines != null) {
            try {
                lines.close();
            } finally {
                reasons.close();
                lines = null;
                reasons = null;
            }
        }
    }
}
