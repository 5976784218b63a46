package io.mixpanelpipelines.convert.parquet;

import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * A fixed number of {@link EventParquetWriter.Buffers} for a whole run, one per day converting at once
 * ({@code export.parallelism}). A day takes one before its first part and gives it back when its step ends;
 * its parts use it one after the other. A day that asks while all are taken waits for one: the memory of
 * the writers is then {@code size} times that of one writer by construction, whatever the number of days
 * in a window or already converted, and whatever runs them.
 *
 * <p>Thread-safe.
 */
public final class WriterBufferPool {

    private final ParquetWriterOptions options;
    private final int size;
    private final ArrayDeque<EventParquetWriter.Buffers> free = new ArrayDeque<>();
    private final Map<EventParquetWriter.Buffers, Boolean> out = new IdentityHashMap<>();
    private int created;

    /** Buffers are made on demand, at most {@code size} of them. */
    public WriterBufferPool(ParquetWriterOptions options, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a pool needs at least one set of buffers, was " + size);
        }
        this.options = options;
        this.size = size;
    }

    /** A set of buffers no other day holds; waits while all {@code size} are taken. */
    public synchronized EventParquetWriter.Buffers acquire() throws InterruptedIOException {
        while (free.isEmpty() && created >= size) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for Parquet writer buffers");
            }
        }
        EventParquetWriter.Buffers b = free.pollFirst();
        if (b == null) {
            b = new EventParquetWriter.Buffers(options);
            created++;
        }
        out.put(b, Boolean.TRUE);
        return b;
    }

    /** Gives back buffers from {@link #acquire} once no writer uses them; anything else is ignored. */
    public synchronized void release(EventParquetWriter.Buffers buffers) {
        if (out.remove(buffers) != null) {
            free.addFirst(buffers);
            notifyAll();
        }
    }

    /** Sets of buffers made so far: never more than the pool's size. */
    public synchronized int created() {
        return created;
    }

    /** Sets of buffers taken and not given back. */
    public synchronized int inUse() {
        return out.size();
    }
}
