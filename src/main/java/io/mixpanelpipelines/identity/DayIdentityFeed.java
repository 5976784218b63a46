package io.mixpanelpipelines.identity;

import io.mixpanelpipelines.convert.json.ParsedEvent;
import io.mixpanelpipelines.convert.json.Utf8Text;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Derives a day's identity mappings on a thread of its own, so that the day's writer thread (a conversion's
 * bottleneck) only copies what an event may map. {@link #offer} copies an event's device and user ids (when it
 * has both) and a merge event's properties into blocks of {@value #BLOCK} bytes, handed to the feed's thread,
 * which offers them to its {@link DayIdentities} exactly as {@link DayIdentities#offer} would. At most
 * {@value #QUEUED} blocks wait: a writer that runs ahead waits for the thread (about 1 MB per day, whatever its
 * size). {@link #drain} waits until everything offered has been derived, and must be called before the
 * mappings are read or cleared; a failure of the thread (a spill that cannot be written) is thrown there or by
 * a later {@link #offer} that hands a block over. A feed closed and then offered events again starts a new
 * thread. One writer thread per feed.
 */
public final class DayIdentityFeed implements Closeable {

    static final int BLOCK = 1 << 17;
    static final int QUEUED = 4;
    /** How long a hand-over waits before it looks whether the thread is still there. */
    private static final long WAIT_MS = 200;
    private static final byte LOGIN = 0;

    /** A block handed over: {@code bytes[0..length)} of records, or a marker (null bytes) to count down. */
    private record Block(byte[] bytes, int length, CountDownLatch done) {
    }

    private final DayIdentities target;
    private final String name;
    private final BlockingQueue<Block> queue = new ArrayBlockingQueue<>(QUEUED);
    private final BlockingQueue<byte[]> spare = new ArrayBlockingQueue<>(QUEUED + 2);
    private static final Block STOP = new Block(null, 0, null);
    private Thread thread;
    private volatile Throwable failure;
    private volatile boolean closing;
    private byte[] block;
    private int at;

    /** @param threadName the feed thread's name (started at the first event) */
    public DayIdentityFeed(DayIdentities target, String threadName) {
        this.target = target;
        this.name = threadName;
    }

    /**
     * Copies what {@code event} may map for the feed's thread (nothing for most events).
     *
     * @throws UncheckedIOException when the feed's thread failed
     */
    public void offer(ParsedEvent event) {
        Utf8Text device = event.deviceIdText();
        Utf8Text user = event.userIdText();
        if (device.present() && user.present()) {
            int n = 1 + 8 + 4 + device.length() + 4 + user.length();
            room(n);
            block[at++] = LOGIN;
            putLong(event.timeMicros());
            putText(device.bytes(), device.offset(), device.length());
            putText(user.bytes(), user.offset(), user.length());
        }
        int kind = IdentityRules.mergeKind(event.eventNameText());
        if (kind > 0 && event.propertiesBuffer() != null && event.propertiesLength() > 0) {
            room(1 + 8 + 4 + event.propertiesLength());
            block[at++] = (byte) kind;
            putLong(event.timeMicros());
            putText(event.propertiesBuffer(), event.propertiesOffset(), event.propertiesLength());
        }
    }

    /**
     * Waits until every event offered so far has been derived.
     *
     * @throws IOException when the feed's thread failed (a spill could not be written), or the wait was interrupted
     */
    public void drain() throws IOException {
        rethrow();
        if (thread == null) {
            return;
        }
        CountDownLatch done = new CountDownLatch(1);
        try {
            handOver();
            put(new Block(null, 0, done));
            while (!done.await(WAIT_MS, TimeUnit.MILLISECONDS)) {
                checkAlive();
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while deriving identity mappings");
        }
        rethrow();
    }

    /** A thread that ended without being closed can take nothing more: fail rather than wait for it. */
    private void checkAlive() {
        if (!thread.isAlive()) {
            Throwable t = failure;
            throw new UncheckedIOException(new IOException("the identity mappings' thread " + name + " ended"
                    + (t == null ? "" : ": " + t), t));
        }
    }

    /**
     * Stops the feed's thread once it has finished the block it is deriving (what is queued behind it is
     * dropped); the mappings stay as they are.
     */
    @Override
    public void close() {
        if (thread == null) {
            return;
        }
        block = null;
        at = 0;
        closing = true;
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                // the thread takes until it sees this (a thread that ended takes nothing: looked at again)
                if (queue.offer(STOP, WAIT_MS, TimeUnit.MILLISECONDS)) {
                    thread.join();
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        thread = null;
        queue.clear();
    }

    private void rethrow() throws IOException {
        Throwable t = failure;
        if (t instanceof UncheckedIOException u) {
            throw u.getCause();
        } else if (t instanceof IOException io) {
            throw io;
        } else if (t instanceof RuntimeException r) {
            throw r;
        } else if (t instanceof Error e) {
            throw e;
        }
    }

    /** Makes room for {@code n} bytes: hands a block that cannot take them over first. */
    private void room(int n) {
        if (block != null && BLOCK - at >= n) {
            return;
        }
        if (block != null && at > 0) {
            handOver();
        }
        if (thread == null) {
            start();
        }
        byte[] b = n > BLOCK ? null : spare.poll();
        block = b != null ? b : new byte[Math.max(BLOCK, n)];
        at = 0;
    }

    private void handOver() {
        if (block != null && at > 0) {
            put(new Block(block, at, null));
        }
        block = null;
        at = 0;
    }

    private void put(Block b) {
        if (failure != null) {
            throw failure instanceof UncheckedIOException u ? u
                    : new UncheckedIOException(new IOException("deriving identity mappings failed: " + failure, failure));
        }
        try {
            while (!queue.offer(b, WAIT_MS, TimeUnit.MILLISECONDS)) {
                checkAlive();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new InterruptedIOException("interrupted while handing identity mappings over"));
        }
    }

    private void start() {
        closing = false; // a failure stays: the mappings may lack what the failed thread dropped
        queue.clear();
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** The feed's thread: derives each block; after a failure, or once closing, only counts markers down. */
    private void run() {
        try {
            while (true) {
                Block b = queue.take();
                if (b == STOP) {
                    return;
                }
                if (b.bytes() == null) {
                    b.done().countDown();
                    continue;
                }
                if (failure == null && !closing) {
                    try {
                        derive(b.bytes(), b.length());
                    } catch (RuntimeException | Error e) {
                        failure = e;
                    }
                }
                if (b.bytes().length == BLOCK) {
                    spare.offer(b.bytes());
                }
            }
        } catch (InterruptedException e) {
            failure = new InterruptedIOException("the identity mappings' thread was interrupted");
        }
    }

    private void derive(byte[] b, int length) {
        int i = 0;
        while (i < length) {
            byte kind = b[i++];
            long time = getLong(b, i);
            i += 8;
            int n = getInt(b, i);
            i += 4;
            if (kind == LOGIN) {
                int device = i;
                i += n;
                int m = getInt(b, i);
                i += 4;
                target.offerLogin(b, device, n, i, m, time);
                i += m;
            } else {
                IdentityRules.mergeEvent(IdentityRules.mergeEventName(kind), b, i, n, time, target);
                i += n;
            }
        }
    }

    private void putLong(long v) {
        for (int k = 56; k >= 0; k -= 8) {
            block[at++] = (byte) (v >>> k);
        }
    }

    private void putText(byte[] src, int off, int len) {
        block[at++] = (byte) (len >>> 24);
        block[at++] = (byte) (len >>> 16);
        block[at++] = (byte) (len >>> 8);
        block[at++] = (byte) len;
        System.arraycopy(src, off, block, at, len);
        at += len;
    }

    private static long getLong(byte[] b, int i) {
        long v = 0;
        for (int k = 0; k < 8; k++) {
            v = (v << 8) | (b[i + k] & 0xff);
        }
        return v;
    }

    private static int getInt(byte[] b, int i) {
        return (b[i] & 0xff) << 24 | (b[i + 1] & 0xff) << 16 | (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
    }
}
