package io.mixpanelpipelines.convert.parquet;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DictionaryPage;

/**
 * A BYTE_ARRAY column dictionary-encoded while that pays, as parquet-java does it: each column chunk has
 * its own dictionary; once the dictionary would pass {@code maxDictionaryBytes}, or if the chunk's first
 * page comes out no smaller with it, the column falls back to PLAIN for the rest of the chunk (pages
 * already written keep their indices, and the dictionary page is written for them).
 */
final class DictionaryColumnEncoder extends BytesColumnEncoder {
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

    DictionaryColumnEncoder(ColumnDescriptor column, int pageSize, int maxDictionaryBytes, ColumnEncoder.PageQueue pages) {
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
