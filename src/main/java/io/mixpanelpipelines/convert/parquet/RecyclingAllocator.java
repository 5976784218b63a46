package io.mixpanelpipelines.convert.parquet;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.parquet.bytes.ByteBufferAllocator;

/**
 * A heap {@link ByteBufferAllocator} for Parquet writers that follow each other (a day's parts, through
 * {@link EventParquetWriter.Buffers}) that reuses the buffers parquet-java releases
 * (page slabs after each page, the row group's compressed pages after each flush) instead of allocating
 * them afresh: parquet-java's default allocator made about two bytes of garbage per byte of input, much of
 * it in arrays large enough for G1 to treat as humongous.
 *
 * <p>Capacities are rounded up (powers of two up to 64 KiB, multiples of 64 KiB above), and a request takes
 * the smallest pooled buffer that fits if it is at most twice as large, so that pages of varying size reuse
 * each other's buffers; a buffer is handed out with its limit at the size asked for.
 * Only buffers this allocator handed out and that are not already back are pooled, so a stray or double
 * release can never put one buffer in two hands. At most {@code maxBytes} are held, counting the buffers
 * handed out and those pooled together: a released buffer is kept only while both fit, so the pool never
 * sits on top of a full row group in use (it only fills as the row group's buffers come back). Not thread-safe:
 * one writer at a time uses it, on one thread.
 */
final class RecyclingAllocator implements ByteBufferAllocator {

    private static final int STEP = 1 << 16;

    private final long maxBytes;
    private final TreeMap<Integer, ArrayDeque<ByteBuffer>> pool = new TreeMap<>();
    private final Map<ByteBuffer, Boolean> out = new IdentityHashMap<>();
    private long pooledBytes;
    private long outBytes;

    RecyclingAllocator(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public ByteBuffer allocate(int size) {
        int capacity = roundUp(size);
        // the smallest pooled buffer that fits, if it is at most twice the size: compressed pages vary in size
        Map.Entry<Integer, ArrayDeque<ByteBuffer>> fit = pool.ceilingEntry(capacity);
        ByteBuffer b = null;
        if (fit != null && fit.getKey() <= 2L * capacity) {
            b = fit.getValue().pollFirst();
            if (fit.getValue().isEmpty()) {
                pool.remove(fit.getKey());
            }
        }
        if (b == null) {
            b = ByteBuffer.allocate(capacity);
        } else {
            pooledBytes -= b.capacity();
            b.clear();
        }
        b.limit(size);
        out.put(b, Boolean.TRUE);
        outBytes += b.capacity();
        return b;
    }

    @Override
    public void release(ByteBuffer b) {
        if (out.remove(b) == null) {
            return; // not ours, or already back
        }
        outBytes -= b.capacity();
        if (pooledBytes + outBytes + b.capacity() > maxBytes) {
            return; // pooled and in use would exceed the bound: left to the garbage collector
        }
        pool.computeIfAbsent(b.capacity(), k -> new ArrayDeque<>()).addFirst(b);
        pooledBytes += b.capacity();
    }

    @Override
    public boolean isDirect() {
        return false;
    }

    /** Bytes handed out and not back yet (for tests). */
    long outBytes() {
        return outBytes;
    }

    /** Bytes held for reuse (for tests). */
    long pooledBytes() {
        return pooledBytes;
    }

    static int roundUp(int size) {
        if (size <= 0) {
            return 0;
        }
        if (size <= STEP) {
            return Math.max(64, Integer.highestOneBit(size - 1) << 1);
        }
        long rounded = ((long) size + STEP - 1) / STEP * STEP;
        return rounded > Integer.MAX_VALUE - 8 ? size : (int) rounded;
    }
}
