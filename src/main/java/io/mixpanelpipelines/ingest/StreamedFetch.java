package io.mixpanelpipelines.ingest;

import io.mixpanelpipelines.source.BodySink;
import io.mixpanelpipelines.source.ExportRequest;
import io.mixpanelpipelines.source.MixpanelExportClient;
import io.mixpanelpipelines.source.Spool;
import io.mixpanelpipelines.source.SpoolManifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Downloads a day's request on a thread of its own while the day is converted from the decoded bytes as
 * they arrive: the body is decoded once (the download decodes it anyway, to find a {@code terminated
 * early} end), and downloading overlaps converting. The spool is written and committed exactly as by a
 * plain fetch, so a restart, a retry of the conversion or a rerun never needs the request again.
 *
 * <p>Each attempt of the download is one {@link InputStream} ({@link #nextAttempt}): it ends (-1) only
 * after that attempt's body ended cleanly and its spool was committed; it throws
 * {@link AttemptAbandonedException} when the download gave that attempt up (the consumer then discards
 * what it converted and reads the next attempt), and it throws the client's exception when the fetch
 * failed for good. Between the two threads at most {@value #QUEUED_CHUNKS} chunks of 256 KiB wait: memory
 * is bounded and a slow conversion slows the download (TCP back-pressure) rather than buffering the day.
 *
 * <p>If the consumer stops early (its conversion failed), the download goes on into the spool and
 * {@link #close} waits for it: a request that was paid for is kept.
 */
public final class StreamedFetch implements BodySink, AutoCloseable {

    static final int QUEUED_CHUNKS = 8;
    private static final int CHUNK = 1 << 18;

    /** Thrown by an attempt's stream when the download gave that attempt up. */
    public static final class AttemptAbandonedException extends IOException {
        AttemptAbandonedException(String reason) {
            super("the download was interrupted: " + reason);
        }
    }

    private record Chunk(byte[] bytes, int length) {
    }

    private record Abandoned(String reason) {
    }

    private record Failed(Throwable error) {
    }

    private static final Object END = new Object();

    private final BlockingQueue<Object> attempts = new LinkedBlockingQueue<>();
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(QUEUED_CHUNKS + 2);
    private final Thread thread;
    /** Told of every call the download makes, before this stream handles it (a progress line). */
    private final BodySink watcher;
    private volatile Attempt current;
    /** The chunk lent to the download thread by {@link #buffer}; only that thread touches it. */
    private byte[] lent;
    private volatile SpoolManifest manifest;
    private volatile boolean closed;
    /** 0: waiting for a request slot; 1: requesting (the request is sent); 2: stopped before requesting. */
    private final java.util.concurrent.atomic.AtomicInteger phase = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * Starts the download. {@code slots} bounds the requests in flight (export.maxConcurrentRequests): a
     * slot is held from the first byte requested to the last byte received.
     */
    public StreamedFetch(MixpanelExportClient client, ExportRequest request, Spool spool, Semaphore slots, String name) {
        this(client, request, spool, slots, name, BodySink.NONE);
    }

    /** As above, telling {@code watcher} (which must not keep the arrays it is given) everything the download tells. */
    public StreamedFetch(MixpanelExportClient client, ExportRequest request, Spool spool, Semaphore slots, String name,
            BodySink watcher) {
        this.watcher = watcher;
        this.thread = new Thread(() -> run(client, request, spool, slots), "download-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    private void run(MixpanelExportClient client, ExportRequest request, Spool spool, Semaphore slots) {
        boolean acquired = false;
        try {
            slots.acquire();
            acquired = true;
            if (!phase.compareAndSet(0, 1)) {
                fail(new InterruptedIOException("not requesting " + request.window() + ": its conversion stopped"));
                return;
            }
            client.fetch(request, spool, this);
        } catch (InterruptedException e) {
            fail(new InterruptedIOException("not requesting " + request.window() + ": its conversion stopped"));
        } catch (Throwable e) {
            fail(e);
        } finally {
            if (acquired) {
                slots.release();
            }
        }
    }

    private void fail(Throwable e) {
        Attempt a = current;
        current = null;
        if (a != null) {
            a.put(new Failed(e));
        }
        attempts.add(new Failed(e));
    }

    /**
     * The decoded body of the next attempt, waiting for it to start.
     *
     * @throws RuntimeException the client's failure when the fetch failed for good
     *     ({@link io.mixpanelpipelines.source.MixpanelException} and its kinds)
     */
    public InputStream nextAttempt() throws IOException {
        Object next;
        try {
            next = attempts.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the download");
        }
        if (next instanceof Failed f) {
            attempts.add(f); // every later call fails the same way
            throw rethrow(f.error());
        }
        return (Attempt) next;
    }

    /** The committed spool's manifest, once an attempt's stream has ended; null before. */
    public SpoolManifest manifest() {
        return manifest;
    }

    // BodySink, called by the download thread

    @Override
    public void begin() {
        watcher.begin();
        Attempt a = new Attempt();
        current = a;
        attempts.add(a);
    }

    /** Lends a chunk to decode into: {@link #write} then queues it as it is. */
    @Override
    public byte[] buffer() {
        Attempt a = current;
        if (a == null || a.dropped) {
            return null;
        }
        if (lent == null) {
            lent = free.poll();
            if (lent == null) {
                lent = new byte[CHUNK];
            }
        }
        return lent;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        watcher.write(b, off, len);
        Attempt a = current;
        if (b == lent && off == 0) {
            lent = null;
            if (a != null && len > 0 && !a.dropped) {
                a.put(new Chunk(b, len));
            }
            return;
        }
        while (a != null && len > 0 && !a.dropped) {
            byte[] buf = free.poll();
            if (buf == null) {
                buf = new byte[CHUNK];
            }
            int n = Math.min(len, buf.length);
            System.arraycopy(b, off, buf, 0, n);
            a.put(new Chunk(buf, n));
            off += n;
            len -= n;
        }
    }

    @Override
    public void complete(SpoolManifest m) {
        watcher.complete(m);
        manifest = m;
        Attempt a = current;
        current = null;
        if (a != null) {
            a.put(END);
        }
    }

    @Override
    public void abandon(String reason) {
        watcher.abandon(reason);
        Attempt a = current;
        current = null;
        if (a != null) {
            a.put(new Abandoned(reason));
        }
    }

    /**
     * Stops handing bytes to the consumer and waits for the download to end, so that the spool of a request
     * already sent is completed (or known failed) before the day's step goes on. A request not sent yet
     * (still waiting for a slot) is not sent at all.
     */
    @Override
    public void close() {
        closed = true;
        if (phase.compareAndSet(0, 2)) {
            thread.interrupt(); // stop waiting for a slot
        }
        Attempt a = current;
        if (a != null) {
            a.close();
        }
        for (Object o : attempts) {
            if (o instanceof Attempt pending) {
                pending.close();
            }
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t.getMessage(), t);
    }

    /** One attempt's decoded body: a bounded queue of chunks read as a stream by the consumer. */
    private final class Attempt extends InputStream implements SpoolLineReader.Chunked {
        private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
        private volatile boolean dropped;
        private Chunk chunk;
        private int pos;
        private boolean ended;

        /** Download side: queues an item, waiting for room unless the consumer has gone away. */
        void put(Object item) {
            try {
                while (!dropped && !closed && !queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
                    // the consumer is busy: wait (back-pressure)
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                dropped = true;
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!advance()) {
                return -1;
            }
            int n = Math.min(len, chunk.length() - pos);
            System.arraycopy(chunk.bytes(), pos, b, off, n);
            pos += n;
            if (pos == chunk.length()) {
                free.offer(chunk.bytes());
                chunk = null;
            }
            return n;
        }

        @Override
        public int nextChunk() throws IOException {
            if (chunk != null) {
                free.offer(chunk.bytes()); // the reader is done with it
                chunk = null;
            }
            if (!advance()) {
                return -1;
            }
            pos = chunk.length();
            return chunk.length();
        }

        @Override
        public byte[] currentChunk() {
            return chunk.bytes();
        }

        /** Makes a chunk current unless there is one; false at the end of the attempt. */
        private boolean advance() throws IOException {
            while (chunk == null) {
                if (ended) {
                    return false;
                }
                Object item;
                try {
                    item = queue.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while reading the download");
                }
                if (item == END) {
                    ended = true;
                    return false;
                }
                if (item instanceof Abandoned x) {
                    throw new AttemptAbandonedException(x.reason());
                }
                if (item instanceof Failed f) {
                    if (f.error() instanceof IOException io) {
                        throw io;
                    }
                    throw rethrow(f.error());
                }
                chunk = (Chunk) item;
                pos = 0;
            }
            return true;
        }

        @Override
        public void close() {
            dropped = true;
            queue.clear();
        }
    }
}
