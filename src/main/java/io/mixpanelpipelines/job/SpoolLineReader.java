package io.mixpanelpipelines.job;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Splits a decoded export body into {@link LineBatch}es of whole lines with bounded memory: a batch holds
 * about {@code batchBytes}; a longer line grows it up to {@code maxLineBytes}; a line longer than that is
 * skipped without being buffered and reported as {@link LineBatch#OVERSIZED}. Blank lines are passed over
 * (their numbers still count). A trailing carriage return is dropped.
 *
 * <p>Decompressing and splitting run ahead on a thread of their own, so that they use the second core while
 * the caller parses and encodes: at most {@value #READ_AHEAD} batches wait in a queue, and batches handed
 * back through {@link #recycle} are reused, so memory stays a few batches whatever the size of the body.
 * A failure of the stream is rethrown by {@link #next}. Not thread-safe: one consumer thread calls
 * {@link #next}, {@link #recycle} and {@link #close}.
 */
final class SpoolLineReader implements AutoCloseable {

    /** Batches decoded ahead of the consumer. */
    static final int READ_AHEAD = 2;

    private final BlockingQueue<Object> ready = new ArrayBlockingQueue<>(READ_AHEAD);
    private final BlockingQueue<LineBatch> free = new ArrayBlockingQueue<>(READ_AHEAD + 2);
    private Thread producer;
    private volatile boolean closed;
    private boolean consumerDone;

    private final InputStream in;
    private final int batchBytes;
    private final int maxLineBytes;
    private final byte[] readBuffer = new byte[1 << 16];
    private int readPos;
    private int readLength;
    private long offset;
    private long nextLine;
    private boolean eof;
    private boolean endSent;

    /**
     * @param in the decoded body, positioned at {@code offset}
     * @param offset offset of the first byte of {@code in} within the body
     * @param firstLine the number of the line that starts there (1 at the start of the body)
     */
    SpoolLineReader(InputStream in, long offset, long firstLine, int batchBytes, int maxLineBytes) {
        this.in = in;
        this.offset = offset;
        this.nextLine = firstLine;
        this.batchBytes = batchBytes;
        this.maxLineBytes = maxLineBytes;
    }

    /** The next batch; the end marker once every line has been read; then null. */
    LineBatch next() throws IOException {
        if (consumerDone) {
            return null;
        }
        if (producer == null) {
            producer = new Thread(this::produce, "spool-reader-" + Thread.currentThread().getName());
            producer.setDaemon(true);
            producer.start();
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
    void recycle(LineBatch batch) {
        if (!batch.isEnd() && batch.buffer().length <= 2 * batchBytes) {
            free.offer(batch);
        }
    }

    /** The read-ahead thread: decodes batches until the end, a failure or {@link #close}. */
    private void produce() {
        try {
            while (!closed) {
                Object item;
                try {
                    item = readBatch();
                } catch (IOException | RuntimeException e) {
                    item = e;
                }
                ready.put(item);
                if (!(item instanceof LineBatch b) || b.isEnd()) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            // closed while waiting for room in the queue
        }
    }

    private LineBatch readBatch() throws IOException {
        if (endSent) {
            return null;
        }
        LineBatch batch = free.poll();
        if (batch == null) {
            batch = LineBatch.withCapacity(batchBytes + (1 << 12));
        } else {
            batch.clear();
        }
        while (batch.used() < batchBytes && readLine(batch)) {
            // keep filling
        }
        if (batch.size() == 0) {
            endSent = true;
            return LineBatch.end();
        }
        return batch;
    }

    /** Reads one line into the batch; false at the end of the body. */
    private boolean readLine(LineBatch batch) throws IOException {
        int mark = batch.used();
        long length = 0;
        boolean oversized = false;
        boolean any = false;
        while (true) {
            if (readPos == readLength && !fill()) {
                if (!any) {
                    return false;
                }
                finish(batch, mark, length, oversized); // a last line without a newline
                return true;
            }
            any = true;
            int newline = -1;
            for (int i = readPos; i < readLength; i++) {
                if (readBuffer[i] == '\n') {
                    newline = i;
                    break;
                }
            }
            int chunkEnd = newline < 0 ? readLength : newline;
            int chunk = chunkEnd - readPos;
            length += chunk;
            offset += chunk;
            if (!oversized && length > maxLineBytes) {
                oversized = true;
                batch.truncate(mark);
            }
            if (!oversized) {
                batch.append(readBuffer, readPos, chunk);
            }
            readPos = chunkEnd;
            if (newline >= 0) {
                readPos++;
                offset++;
                finish(batch, mark, length, oversized);
                return true;
            }
        }
    }

    private void finish(LineBatch batch, int mark, long length, boolean oversized) {
        long lineNumber = nextLine++;
        if (oversized) {
            batch.add(mark, LineBatch.OVERSIZED, lineNumber, offset);
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
            batch.add(mark, end - mark, lineNumber, offset);
        }
    }

    private boolean fill() throws IOException {
        if (eof) {
            return false;
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
        Thread t = producer;
        if (t != null) {
            t.interrupt();
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        in.close();
    }
}
