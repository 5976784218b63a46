package io.mixpanelpipelines.convert.parquet;

import java.io.IOException;
import java.util.ArrayDeque;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.PageWriter;
import org.apache.parquet.column.statistics.SizeStatistics;
import org.apache.parquet.column.statistics.Statistics;

/**
 * A writer's finished pages on their way to parquet-java's page writers: each is {@linkplain
 * PageCompressor#submit submitted} for compression at once and written (its compressed bytes then taken) once
 * more than {@value #PAGES_AHEAD} pages are ahead of it, or when the row group ends ({@link #writeAll}). So
 * compression runs on the compressor's workers while the writer's thread goes on encoding. With a compressor
 * that does not compress ahead, a page is written at once. Not thread-safe: the writer's.
 */
final class PagesAhead implements ColumnEncoder.PageQueue {

    /** Pages compressed ahead at most (each in an array of its own): bounds the memory they hold. */
    static final int PAGES_AHEAD = 8;

    private final PageCompressor compressor;
    private final ArrayDeque<PendingPage> inFlight = new ArrayDeque<>();
    private long inFlightBytes;

    PagesAhead(PageCompressor compressor) {
        this.compressor = compressor;
    }

    @Override
    public byte[] add(ColumnEncoder column, PageWriter writer, byte[] bytes, int start, int end, int rows,
            Statistics<?> statistics, SizeStatistics sizes, Encoding definitionLevels, Encoding values)
            throws IOException {
        PendingPage page = new PendingPage(column, writer, bytes, start, end, rows, statistics, sizes,
                definitionLevels, values);
        if (!compressor.compressesAhead()) {
            write(page);
            return bytes;
        }
        compressor.submit(bytes, start, end - start);
        inFlight.add(page);
        inFlightBytes += end - start;
        while (inFlight.size() > PAGES_AHEAD) {
            writeOldest();
        }
        byte[] next = column.spareArrays.pollFirst();
        return next != null && next.length >= bytes.length ? next : new byte[bytes.length];
    }

    /** Uncompressed bytes of the pages still ahead. */
    long bytes() {
        return inFlightBytes;
    }

    /** Writes every page still ahead (before its row group ends). */
    void writeAll() throws IOException {
        while (!inFlight.isEmpty()) {
            writeOldest();
        }
    }

    /** Drops the pages still ahead: their file is being discarded (none are left after {@link #writeAll}). */
    void clear() {
        inFlight.clear();
        inFlightBytes = 0;
    }

    private void writeOldest() throws IOException {
        PendingPage page = inFlight.pollFirst();
        inFlightBytes -= page.end() - page.start();
        write(page);
        if (page.column().spareArrays.size() <= PAGES_AHEAD) {
            page.column().spareArrays.addFirst(page.bytes()); // back to its column: the right size
        }
    }

    private static void write(PendingPage p) throws IOException {
        p.writer().writePage(BytesInput.from(p.bytes(), p.start(), p.end() - p.start()), p.rows(), p.rows(),
                p.statistics(), p.sizes(), null, Encoding.BIT_PACKED, p.definitionLevels(), p.values());
        p.column().pageWritten(p.writer().getMemSize());
    }

    /** A page handed over and not yet written: its compression runs ahead. */
    private record PendingPage(ColumnEncoder column, PageWriter writer, byte[] bytes, int start, int end, int rows,
            Statistics<?> statistics, SizeStatistics sizes, Encoding definitionLevels, Encoding values) {
    }
}
