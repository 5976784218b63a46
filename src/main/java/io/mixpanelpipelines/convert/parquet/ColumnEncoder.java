package io.mixpanelpipelines.convert.parquet;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageWriter;
import org.apache.parquet.column.statistics.SizeStatistics;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.schema.PrimitiveType;

/**
 * Encodes one flat column into Parquet V1 data pages and hands them to parquet-java's {@link PageWriter},
 * which compresses them, buffers the row group and writes page headers, column and offset indexes and the
 * footer. This replaces parquet-java's record layer (record consumer, column writers, values writers) for
 * our fixed, flat schema: values are appended straight into the page as it will be stored, so a value is
 * copied once and no object is made per value.
 *
 * <p>What a page holds is what parquet-java's V1 writer would write for the same values: definition levels
 * (optional columns) as a length-prefixed RLE/bit-packed hybrid, then PLAIN values or, for a
 * {@link DictionaryColumnEncoder} column, PLAIN_DICTIONARY indices. A page ends at the configured page size or at
 * 20,000 rows (parquet-java's default page row limit, which keeps column indexes fine-grained). Each page
 * carries min/max statistics and null counts, unless statistics are off for the column; chunk statistics
 * and size statistics are merged by the page writer.
 *
 * <p>Not thread-safe; one encoder per column of one writer.
 */
abstract class ColumnEncoder {

    static final int PAGE_ROW_LIMIT = ParquetProperties.DEFAULT_PAGE_ROW_COUNT_LIMIT;

    /** Room before the values for the longest definition levels a page can have, and their length. */
    private static final int LEVELS_RESERVE = 4 + HybridEncoding.maxEncodedSize(PAGE_ROW_LIMIT, 1);

    final ColumnDescriptor column;
    final PrimitiveType type;
    final boolean optional;
    final int pageSize;
    final boolean statisticsEnabled;

    /** The page being built: definition levels go in front of {@link #valuesStart} when it is written. */
    final PageBuffer page;
    final int valuesStart;
    private final int[] definitionLevels;
    private final PageBuffer levels;

    int rows;
    private int nulls;
    long unencodedBytes;
    private final PageQueue pages;
    /** Arrays of this column's written pages, for its next pages (the {@link PageQueue}'s to manage). */
    final java.util.ArrayDeque<byte[]> spareArrays = new java.util.ArrayDeque<>();
    private PageWriter pageWriter;
    private long chunkBytes;

    ColumnEncoder(ColumnDescriptor column, int pageSize, boolean statisticsEnabled, PageQueue pages) {
        this.pages = pages;
        this.column = column;
        this.type = column.getPrimitiveType();
        this.optional = column.getMaxDefinitionLevel() > 0;
        this.pageSize = pageSize;
        this.statisticsEnabled = statisticsEnabled;
        this.valuesStart = optional ? LEVELS_RESERVE : 0;
        this.page = new PageBuffer(valuesStart + Math.min(pageSize, 1 << 16) + 1024);
        this.page.size = valuesStart;
        this.definitionLevels = optional ? new int[PAGE_ROW_LIMIT] : null;
        this.levels = optional ? new PageBuffer(LEVELS_RESERVE) : null;
    }

    /** Starts a column chunk (a row group) whose pages go to {@code writer}. */
    void startChunk(PageWriter writer) {
        this.pageWriter = writer;
        this.chunkBytes = 0;
    }

    /** Writes the last page of the chunk and anything the chunk still holds. */
    void endChunk() throws IOException {
        if (rows > 0) {
            writePage();
        }
    }

    /** Bytes this column holds for the current row group: compressed pages, the open page, a dictionary. */
    long bufferedBytes() {
        return chunkBytes + page.size - valuesStart;
    }

    void addNull() throws IOException {
        if (!optional) {
            throw new IllegalArgumentException("column " + type.getName() + " is required");
        }
        definitionLevels[rows++] = 0;
        nulls++;
        if (rows >= PAGE_ROW_LIMIT) {
            writePage();
        }
    }

    /** Records a present value in the levels; the subclass has appended it. Ends the page when full. */
    final void valueAdded() throws IOException {
        if (optional) {
            definitionLevels[rows] = 1;
        }
        rows++;
        if (rows >= PAGE_ROW_LIMIT || page.size - valuesStart >= pageSize) {
            writePage();
        }
    }

    /** Encodes and hands over the open page: PLAIN values, unless a subclass encodes them otherwise. */
    void writePage() throws IOException {
        emitPage(Encoding.PLAIN);
    }

    /** Page statistics: min/max of the page's values (none when all are null), or nothing when disabled. */
    abstract Statistics<?> pageStatistics();

    /**
     * Hands over the page whose values are {@code page[valuesStart..size)}, prefixed by its definition
     * levels, then starts the next page.
     */
    final void emitPage(Encoding valuesEncoding) throws IOException {
        int start = valuesStart;
        if (optional) {
            levels.size = 0;
            HybridEncoding.encode(definitionLevels, rows, 1, levels);
            start = valuesStart - 4 - levels.size;
            PageBuffer.putIntAt(page.bytes, start, levels.size);
            System.arraycopy(levels.bytes, 0, page.bytes, start + 4, levels.size);
        }
        Statistics<?> statistics = statisticsEnabled ? pageStatistics() : Statistics.noopStats(type);
        statistics.incrementNumNulls(nulls);
        SizeStatistics sizes = statisticsEnabled
                ? new SizeStatistics(type, unencodedBytes, new ArrayList<>(), new ArrayList<>())
                : SizeStatistics.noopBuilder(type, 0, column.getMaxDefinitionLevel()).build();
        page.bytes = pages.add(this, pageWriter, page.bytes, start, page.size, rows, statistics, sizes,
                optional ? Encoding.RLE : Encoding.BIT_PACKED, valuesEncoding);
        rows = 0;
        nulls = 0;
        unencodedBytes = 0;
        page.size = valuesStart;
        pageStarted();
    }

    /** The page writer has taken one of this column's pages: its chunk now holds {@code chunkMemSize} bytes. */
    final void pageWritten(long chunkMemSize) {
        chunkBytes = chunkMemSize;
    }

    /**
     * Where a column's finished pages go: to its page writer, at once or after compression ahead of it
     * ({@link PagesAhead}).
     */
    interface PageQueue {
        /**
         * Takes the page {@code bytes[start..end)} of {@code column}; returns the array the column builds its
         * next page in (the same one if the page was written at once).
         */
        byte[] add(ColumnEncoder column, PageWriter writer, byte[] bytes, int start, int end, int rows,
                Statistics<?> statistics, SizeStatistics sizes, Encoding definitionLevels, Encoding values)
                throws IOException;
    }

    /** A new page begins: subclasses reset their page statistics. */
    abstract void pageStarted();

    void writeDictionaryPage(DictionaryPage dictionaryPage) throws IOException {
        pageWriter.writeDictionaryPage(dictionaryPage);
        chunkBytes = pageWriter.getMemSize();
    }
}
