package io.mixpanelpipelines.ingest;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * Splits a decoded export body into {@link LineBatch}es of whole lines with bounded memory: a batch holds
 * about {@code batchBytes} (and at most {@value #MAX_BATCH_LINES} lines); a longer line grows it up to
 * {@code maxLineBytes}; a line longer than that is never held in memory: it is reported as
 * {@link LineBatch#OVERSIZED} and, when the reader has a folder for them, streamed byte for byte (without its
 * newline) to a file of its own there, {@link #oversizedLine}, which the consumer takes over. Blank lines
 * are passed over (their numbers still count). A trailing carriage return is dropped.
 *
 * <p>The work runs ahead of the caller on threads of its own, a pipeline joined by small bounded queues:
 * one thread decompresses and splits lines, and, when a {@code prepare} step is given (parsing), a second
 * one applies it to each batch. With the caller encoding, the three stages spread over the cores. At most
 * a few batches are in flight and batches handed back through {@link #recycle} are reused, so memory stays
 * a few batches whatever the size of the body. A failure in any stage is rethrown by {@link #next}, in
 * order. Not thread-safe: one consumer thread calls {@link #next}, {@link #recycle} and {@link #close}.
 */
public final class SpoolLineReader implements AutoCloseable {

    /**
     * A batch's fill mark: about ten batches in flight are most of a day's heap. With the 4 KiB of room
     * {@link #initialCapacity} adds and the array header, exactly 2 MiB: whole G1 regions (docs/performance.md).
     */
    public static final int BATCH_BYTES = (2 << 20) - (1 << 12) - 64;
    /** The longest line kept in memory; a longer one is rejected. */
    public static final int MAX_LINE_BYTES = 16 << 20;

    /**
     * An input that lends the arrays its bytes arrived in instead of copying them out (a download in
     * progress, {@link StreamedFetch}). The reader takes one chunk at a time and is done with it by the
     * next call.
     */
    interface Chunked {
        /** Gives the current chunk back, makes the next one current: its length, -1 at the end; fails as read. */
        int nextChunk() throws IOException;

        /** The current chunk's array: its first {@link #nextChunk} bytes are the chunk. */
        byte[] currentChunk();
    }

    /** Batches waiting between two stages. */
    static final int READ_AHEAD = 2;
    /** Lines per batch at most, so that per-line state (parsed events) stays bounded for short lines too. */
    static final int MAX_BATCH_LINES = 8_192;

    private final InputStream in;
    private final int batchBytes;
    private final int maxLineBytes;
    private final Consumer<LineBatch> prepare;
    private final Path oversizeDir;
    private byte[] readBuffer = new byte[1 << 16];
    private int readPos;
    private int readLength;
    private long offset;
    private long nextLine;
    private boolean eof;

    private final BlockingQueue<Object> split = new ArrayBlockingQueue<>(READ_AHEAD);
    private final BlockingQueue<Object> ready;
    private final BlockingQueue<LineBatch> free = new ArrayBlockingQueue<>(3 * READ_AHEAD + 3);
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closed;
    private boolean consumerDone;

    /**
     * @param in the decoded body, positioned at {@code offset}
     * @param offset offset of the first byte of {@code in} within the body
     * @param firstLine the number of the line that starts there (1 at the start of the body)
     */
    public SpoolLineReader(InputStream in, long offset, long firstLine, int batchBytes, int maxLineBytes) {
        this(in, offset, firstLine, batchBytes, maxLineBytes, null);
    }

    /**
     * @param prepare applied to every batch (not the end marker) on a thread of its own before {@link #next}
     *     returns it, e.g. parsing its lines; null for none. It may throw unchecked exceptions, rethrown by
     *     {@link #next}.
     */
    public SpoolLineReader(InputStream in, long offset, long firstLine, int batchBytes, int maxLineBytes,
            Consumer<LineBatch> prepare) {
        this(in, offset, firstLine, batchBytes, maxLineBytes, prepare, null);
    }

    /**
     * @param oversizeDir where a line longer than {@code maxLineBytes} is streamed to ({@link #oversizedLine});
     *     null to skip such lines (only reported)
     */
    public SpoolLineReader(InputStream in, long offset, long firstLine, int batchBytes, int maxLineBytes,
            Consumer<LineBatch> prepare, Path oversizeDir) {
        this.oversizeDir = oversizeDir;
        this.in = in;
        this.offset = offset;
        this.nextLine = firstLine;
        this.batchBytes = batchBytes;
        this.maxLineBytes = maxLineBytes;
        this.prepare = prepare;
        this.ready = prepare == null ? split : new ArrayBlockingQueue<>(READ_AHEAD);
    }

    /** The next batch; the end marker once every line has been read; then null. */
    public LineBatch next() throws IOException {
        if (consumerDone) {
            return null;
        }
        if (threads.isEmpty()) {
            String name = Thread.currentThread().getName();
            start(this::produce, "spool-reader-" + name);
            if (prepare != null) {
                start(this::relay, "spool-parser-" + name);
            }
        }
        Object item;
        try {
            item = ready.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading the spool");
        }
        if (item instanceof IOException e) {
            consumerDone = true;
            throw e;
        }
        if (item instanceof RuntimeException e) {
            consumerDone = true;
            throw e;
        }
        if (item instanceof Error e) {
            consumerDone = true;
            throw e;
        }
        LineBatch batch = (LineBatch) item;
        if (batch.isEnd()) {
            consumerDone = true;
        }
        return batch;
    }

    /**
     * Hands back a batch the caller is done with (nothing may point into it any more), so that its buffers
     * are reused instead of allocated again. Optional.
     */
    public void recycle(LineBatch batch) {
        if (!batch.isEnd() && batch.buffer().length <= initialCapacity()) { // not one grown by a long line
            free.offer(batch);
        }
    }

    private int initialCapacity() {
        return batchBytes + (1 << 12);
    }

    private void start(Runnable stage, String name) {
        Thread t = new Thread(stage, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    /** First stage: decodes and splits batches until the end, a failure or {@link #close}. */
    private void produce() {
        try {
            while (!closed) {
                Object item;
                try {
                    item = readBatch();
                } catch (IOException | RuntimeException | Error e) {
                    item = e;
                }
                split.put(item);
                if (!(item instanceof LineBatch b) || b.isEnd()) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            // closed while waiting for room in the queue
        }
    }

    /** Second stage (with a {@code prepare} step): prepares each batch, passing everything else on. */
    private void relay() {
        try {
            while (!closed) {
                Object item = split.take();
                if (item instanceof LineBatch b && !b.isEnd()) {
                    try {
                        prepare.accept(b);
                    } catch (RuntimeException | Error e) {
                        item = e;
                    }
                }
                ready.put(item);
                if (!(item instanceof LineBatch b) || b.isEnd()) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    private LineBatch readBatch() throws IOException {
        LineBatch batch = free.poll();
        if (batch == null) {
            batch = LineBatch.withCapacity(initialCapacity(), initialCapacity() + maxLineBytes);
        } else {
            batch.clear();
        }
        while (batch.used() < batchBytes && batch.size() < MAX_BATCH_LINES && readLine(batch)) {
            // keep filling
        }
        if (batch.size() == 0) {
            return LineBatch.end();
        }
        return batch;
    }

    /**
     * The file that line {@code lineNumber}, reported {@link LineBatch#OVERSIZED}, was streamed to in the
     * reader's {@code oversizeDir}: complete once the batch holding it is handed out. Whoever takes the line
     * deletes the file; a file left by a killed run is overwritten when its line is read again.
     */
    public static Path oversizedLine(Path oversizeDir, long lineNumber) {
        return oversizeDir.resolve(".oversized-line-" + lineNumber);
    }

    /** Reads one line into the batch; false at the end of the body. */
    private boolean readLine(LineBatch batch) throws IOException {
        int mark = batch.used();
        long start = offset;
        long length = 0;
        boolean oversized = false;
        OutputStream overflow = null;
        boolean any = false;
        try {
            while (true) {
                if (readPos == readLength && !fill()) {
                    if (!any) {
                        return false;
                    }
                    overflow = closeOverflow(overflow);
                    finish(batch, mark, start, length, oversized); // a last line without a newline
                    return true;
                }
                any = true;
                int newline = indexOfNewline(readBuffer, readPos, readLength);
                int chunkEnd = newline < 0 ? readLength : newline;
                int chunk = chunkEnd - readPos;
                length += chunk;
                offset += chunk;
                if (!oversized && length > maxLineBytes) {
                    oversized = true;
                    if (oversizeDir != null) {
                        overflow = openOverflow(nextLine);
                        overflow.write(batch.buffer(), mark, batch.used() - mark);
                    }
                    batch.truncate(mark);
                }
                if (!oversized) {
                    batch.append(readBuffer, readPos, chunk);
                } else if (overflow != null) {
                    overflow.write(readBuffer, readPos, chunk);
                }
                readPos = chunkEnd;
                if (newline >= 0) {
                    readPos++;
                    offset++;
                    overflow = closeOverflow(overflow);
                    finish(batch, mark, start, length, oversized);
                    return true;
                }
            }
        } finally {
            if (overflow != null) { // failed half-way: the file is incomplete and its line will be read again
                overflow.close();
            }
        }
    }

    private OutputStream openOverflow(long lineNumber) throws IOException {
        Files.createDirectories(oversizeDir);
        return new BufferedOutputStream(Files.newOutputStream(oversizedLine(oversizeDir, lineNumber)), 1 << 16);
    }

    private static OutputStream closeOverflow(OutputStream overflow) throws IOException {
        if (overflow != null) {
            overflow.close();
        }
        return null;
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    /**
     * The first '\n' in {@code b[from..to)}, or -1; eight bytes per step (SWAR zero-byte test, whose
     * lowest mark is exact): this runs over every byte of a day.
     */
    static int indexOfNewline(byte[] b, int from, int to) {
        int i = from;
        for (; i <= to - 8; i += 8) {
            long x = (long) LONGS.get(b, i) ^ 0x0A0A0A0A0A0A0A0AL; // '\n' bytes become zero
            long zeros = (x - ONES) & ~x & HIGHS;
            if (zeros != 0) {
                return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void finish(LineBatch batch, int mark, long start, long length, boolean oversized) {
        long lineNumber = nextLine++;
        if (oversized) {
            batch.add(mark, LineBatch.OVERSIZED, lineNumber, start, offset);
            return;
        }
        int end = batch.used();
        byte[] b = batch.buffer();
        if (end > mark && b[end - 1] == '\r') {
            end--;
        }
        boolean blank = true;
        for (int i = mark; i < end && blank; i++) {
            blank = b[i] == ' ' || b[i] == '\t';
        }
        if (blank) {
            batch.truncate(mark);
        } else {
            batch.add(mark, end - mark, lineNumber, start, offset);
        }
    }

    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        if (in instanceof Chunked chunked) {
            int n = chunked.nextChunk();
            if (n < 0) {
                eof = true;
                return false;
            }
            readBuffer = chunked.currentChunk();
            readPos = 0;
            readLength = n;
            return true;
        }
        int n = in.read(readBuffer);
        while (n == 0) {
            n = in.read(readBuffer);
        }
        if (n < 0) {
            eof = true;
            return false;
        }
        readPos = 0;
        readLength = n;
        return true;
    }

    /** Stops the read-ahead thread and closes the stream. */
    @Override
    public void close() throws IOException {
        closed = true;
        for (Thread t : threads) {
            t.interrupt();
        }
        try {
            for (Thread t : threads) {
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        in.close();
    }
}
