package io.mixpanelpipelines.convert.parquet;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageWriter;
import org.apache.parquet.column.statistics.SizeStatistics;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Encodes one flat column into Parquet V1 data pages and hands them to parquet-java's {@link PageWriter},
 * which compresses them, buffers the row group and writes page headers, column and offset indexes and the
 * footer. This replaces parquet-java's record layer (record consumer, column writers, values writers) for
 * our fixed, flat schema: values are appended straight into the page as it will be stored, so a value is
 * copied once and no object is made per value.
 *
 * <p>What a page holds is what parquet-java's V1 writer would write for the same values: definition levels
 * (optional columns) as a length-prefixed RLE/bit-packed hybrid, then PLAIN values or, for a
 * {@link Dictionary} column, PLAIN_DICTIONARY indices. A page ends at the configured page size or at
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
     * ({@link EventParquetWriter}).
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

    /** An INT64 column, PLAIN encoded. */
    static final class Int64 extends ColumnEncoder {
        private long min;
        private long max;
        private boolean hasValue;

        Int64(ColumnDescriptor column, int pageSize, PageQueue pages) {
            super(column, pageSize, true, pages);
        }

        void add(long v) throws IOException {
            page.putLong(v);
            if (!hasValue) {
                min = v;
                max = v;
                hasValue = true;
            } else if (v < min) {
                min = v;
            } else if (v > max) {
                max = v;
            }
            valueAdded();
        }

        @Override
        Statistics<?> pageStatistics() {
            Statistics<?> s = Statistics.createStats(type);
            if (hasValue) {
                s.updateStats(min);
                s.updateStats(max);
            }
            return s;
        }

        @Override
        void pageStarted() {
            hasValue = false;
        }
    }

    /** A BYTE_ARRAY column, PLAIN encoded (length-prefixed values). */
    static class Bytes extends ColumnEncoder {
        private final MinMax minMax = new MinMax();

        Bytes(ColumnDescriptor column, int pageSize, boolean statisticsEnabled, PageQueue pages) {
            super(column, pageSize, statisticsEnabled, pages);
        }

        void add(byte[] b, int off, int len) throws IOException {
            page.putLengthPrefixed(b, off, len);
            unencodedBytes += len;
            if (statisticsEnabled) {
                minMax.update(b, off, len);
            }
            valueAdded();
        }

        @Override
        Statistics<?> pageStatistics() {
            return minMax.toStatistics(type);
        }

        /** Page statistics, for a subclass that sees each distinct value of a page once. */
        final MinMax minMax() {
            return minMax;
        }

        @Override
        void pageStarted() {
            minMax.clear();
        }
    }

    /**
     * A BYTE_ARRAY column dictionary-encoded while that pays, as parquet-java does it: each column chunk has
     * its own dictionary; once the dictionary would pass {@code maxDictionaryBytes}, or if the chunk's first
     * page comes out no smaller with it, the column falls back to PLAIN for the rest of the chunk (pages
     * already written keep their indices, and the dictionary page is written for them).
     */
    static final class Dictionary extends Bytes {
        private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

        private final int maxDictionaryBytes;
        /** The dictionary page as it will be written: each entry PLAIN encoded (length, then bytes). */
        private final PageBuffer entries = new PageBuffer(1 << 12);
        private int entryCount;
        private int[] entryOffset = new int[256];
        private int[] entryHash = new int[256];
        private int[] entrySeenOnPage = new int[256];
        private int[] table = new int[512]; // entry + 1; 0 is an empty slot

        private final int[] indices = new int[PAGE_ROW_LIMIT];
        private int indexCount;
        private long pagePlainBytes;
        private int pageNumber = 1;

        private boolean encoding = true;
        private int pagesInChunk;
        private boolean dictionaryPageNeeded;

        Dictionary(ColumnDescriptor column, int pageSize, int maxDictionaryBytes, PageQueue pages) {
            super(column, pageSize, true, pages);
            this.maxDictionaryBytes = maxDictionaryBytes;
        }

        @Override
        void add(byte[] b, int off, int len) throws IOException {
            if (!encoding) {
                super.add(b, off, len);
                return;
            }
            int hash = hash(b, off, len);
            int entry = find(hash, b, off, len);
            if (entry < 0) {
                if (entries.size + 4L + len > maxDictionaryBytes) {
                    fallBack();
                    super.add(b, off, len);
                    return;
                }
                entry = insert(hash, b, off, len);
            }
            indices[indexCount++] = entry;
            pagePlainBytes += 4 + len;
            unencodedBytes += len;
            if (entrySeenOnPage[entry] != pageNumber) {
                entrySeenOnPage[entry] = pageNumber;
                minMax().update(entries.bytes, entryOffset[entry] + 4, len);
            }
            valueAdded();
        }

        @Override
        long bufferedBytes() {
            return super.bufferedBytes() + indexCount + (encoding || dictionaryPageNeeded ? entries.size : 0);
        }

        @Override
        void writePage() throws IOException {
            if (!encoding) {
                super.writePage();
                return;
            }
            int width = HybridEncoding.bitWidth(Math.max(0, entryCount - 1));
            if (pagesInChunk == 0 && (long) HybridEncoding.maxEncodedSize(indexCount, width) + entries.size >= pagePlainBytes) {
                fallBack(); // the dictionary does not pay for itself on this chunk
                super.writePage();
                return;
            }
            page.putByte(width);
            HybridEncoding.encode(indices, indexCount, width, page);
            emitPage(Encoding.PLAIN_DICTIONARY);
            dictionaryPageNeeded = true;
        }

        @Override
        void pageStarted() {
            super.pageStarted();
            indexCount = 0;
            pagePlainBytes = 0;
            pagesInChunk++;
            pageNumber++;
        }

        @Override
        void endChunk() throws IOException {
            super.endChunk();
            if (dictionaryPageNeeded) {
                writeDictionaryPage(new DictionaryPage(BytesInput.from(entries.bytes, 0, entries.size), entryCount,
                        Encoding.PLAIN_DICTIONARY));
            }
            encoding = true;
            dictionaryPageNeeded = false;
            pagesInChunk = 0;
            entries.size = 0;
            entryCount = 0;
            Arrays.fill(table, 0);
            Arrays.fill(entrySeenOnPage, 0);
        }

        /** Rewrites the open page's values as PLAIN and stops dictionary encoding for this chunk. */
        private void fallBack() {
            encoding = false;
            for (int i = 0; i < indexCount; i++) {
                int at = entryOffset[indices[i]];
                page.putLengthPrefixed(entries.bytes, at + 4, PageBuffer.intAt(entries.bytes, at));
            }
            indexCount = 0;
        }

        private int find(int hash, byte[] b, int off, int len) {
            int mask = table.length - 1;
            for (int slot = hash & mask; ; slot = (slot + 1) & mask) {
                int e = table[slot] - 1;
                if (e < 0) {
                    return -1;
                }
                if (entryHash[e] == hash) {
                    int at = entryOffset[e];
                    if (PageBuffer.intAt(entries.bytes, at) == len
                            && Arrays.equals(entries.bytes, at + 4, at + 4 + len, b, off, off + len)) {
                        return e;
                    }
                }
            }
        }

        private int insert(int hash, byte[] b, int off, int len) {
            int e = entryCount++;
            if (e == entryOffset.length) {
                entryOffset = Arrays.copyOf(entryOffset, e * 2);
                entryHash = Arrays.copyOf(entryHash, e * 2);
                entrySeenOnPage = Arrays.copyOf(entrySeenOnPage, e * 2);
            }
            entryOffset[e] = entries.size;
            entryHash[e] = hash;
            entrySeenOnPage[e] = 0;
            entries.putLengthPrefixed(b, off, len);
            if (2 * entryCount > table.length) {
                table = new int[table.length * 2];
                for (int i = 0; i < entryCount; i++) {
                    place(i);
                }
            } else {
                place(e);
            }
            return e;
        }

        private void place(int e) {
            int mask = table.length - 1;
            int slot = entryHash[e] & mask;
            while (table[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            table[slot] = e + 1;
        }

        static int hash(byte[] b, int off, int len) {
            long h = len * 0x9E3779B97F4A7C15L;
            int i = off;
            int end = off + len;
            for (; i + 8 <= end; i += 8) {
                h = Long.rotateLeft((h ^ (long) LONGS.get(b, i)) * 0xC2B2AE3D27D4EB4FL, 31);
            }
            long tail = 0;
            for (int shift = 0; i < end; i++, shift += 8) {
                tail |= (b[i] & 0xFFL) << shift;
            }
            h = (h ^ tail) * 0x9E3779B97F4A7C15L;
            return (int) (h ^ h >>> 29 ^ h >>> 43);
        }
    }

    /** The smallest and largest byte strings seen, compared as unsigned bytes (Parquet's order for text). */
    static final class MinMax {
        private byte[] min = new byte[64];
        private int minLength;
        private byte[] max = new byte[64];
        private int maxLength;
        private boolean hasValue;

        void clear() {
            hasValue = false;
        }

        void update(byte[] b, int off, int len) {
            if (!hasValue) {
                min = copy(min, b, off, len);
                minLength = len;
                max = copy(max, b, off, len);
                maxLength = len;
                hasValue = true;
            } else if (Arrays.compareUnsigned(b, off, off + len, min, 0, minLength) < 0) {
                min = copy(min, b, off, len);
                minLength = len;
            } else if (Arrays.compareUnsigned(b, off, off + len, max, 0, maxLength) > 0) {
                max = copy(max, b, off, len);
                maxLength = len;
            }
        }

        Statistics<?> toStatistics(Type type) {
            Statistics<?> s = Statistics.createStats(type);
            if (hasValue) {
                s.updateStats(Binary.fromConstantByteArray(Arrays.copyOf(min, minLength)));
                s.updateStats(Binary.fromConstantByteArray(Arrays.copyOf(max, maxLength)));
            }
            return s;
        }

        private static byte[] copy(byte[] into, byte[] b, int off, int len) {
            byte[] target = into.length >= len ? into : new byte[Math.max(len, 2 * into.length)];
            System.arraycopy(b, off, target, 0, len);
            return target;
        }
    }
}
