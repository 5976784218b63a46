package io.mixpanelpipelines.convert.parquet;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

/**
 * Compresses a writer's data pages on worker threads, ahead of the moment parquet-java asks for them. The
 * encoding thread {@link #submit}s a finished page (an array of its own) and goes on encoding; when the page
 * is later handed to parquet-java's page writer, its {@link #compress} call finds the result by the page's
 * array and waits for it if needed. Any other input (dictionary pages) is compressed on the calling thread.
 *
 * <p>Why: compression is half of the encoding thread's work; done there, that thread is the one stage of
 * the day's pipeline the others wait for, and a core idles while they wait. On workers, any free core takes
 * it.
 *
 * <p><b>Memory.</b> Pages are compressed from and into direct buffers, never heap arrays: zstd-jni and
 * snappy-java pin a heap array for the whole call (a JNI critical section), and with a few workers per
 * converting day the collector was locked out so often that an allocation could fail with heap to spare
 * ("page compression failed: OutOfMemoryError", issue 18); the outputs, each about a page, were also
 * humongous arrays for G1 at small heaps. Each worker has one input buffer; the outputs come from an
 * {@link Outputs} pool that the writers of one {@link EventParquetWriter.Buffers} share, of at most
 * {@link Outputs#KEPT} buffers of about a page: the pages in flight and the one parquet-java is copying.
 *
 * <p>Like any of parquet-java's compressors here, the bytes {@link #compress} returns are valid until it is
 * called again (parquet-java copies them first); their buffer then serves another page.
 *
 * <p>{@link #submit} and {@link #compress} belong to one thread (the writer's). {@link #release} waits for
 * the workers before freeing their native zstd contexts.
 */
final class PageCompressor implements BytesInputCompressor {

    private final CompressionCodecName codec;
    private final int zstdLevel;
    private final ExecutorService workers;
    private final Outputs outputs;
    private final Map<byte[], Future<ByteBuffer>> pending = new IdentityHashMap<>();
    /** The output {@link #compress} returned last: parquet-java copies it before it asks again. */
    private ByteBuffer lastOutput;
    private final List<ZstdCompressCtx> contexts = new ArrayList<>();
    private final ThreadLocal<Worker> worker = ThreadLocal.withInitial(this::newWorker);
    private Worker own;
    private boolean released;

    /** A compressor with an output pool of its own. */
    PageCompressor(CompressionCodecName codec, int zstdLevel, int threads) {
        this(codec, zstdLevel, threads, new Outputs());
    }

    /**
     * @param codec ZSTD, SNAPPY or UNCOMPRESSED (pages are then passed through, and nothing is compressed
     *     ahead)
     * @param outputs where compressed pages go; shared by the writers that follow each other, one at a time
     */
    PageCompressor(CompressionCodecName codec, int zstdLevel, int threads, Outputs outputs) {
        if (codec != CompressionCodecName.ZSTD && codec != CompressionCodecName.SNAPPY
                && codec != CompressionCodecName.UNCOMPRESSED) {
            throw new IllegalArgumentException("no page compressor for " + codec);
        }
        this.codec = codec;
        this.zstdLevel = zstdLevel;
        this.outputs = outputs;
        this.workers = codec == CompressionCodecName.UNCOMPRESSED ? null : Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "parquet-compress-" + Thread.currentThread().getName());
            t.setDaemon(true);
            return t;
        });
    }

    /** Whether pages are compressed at all, hence worth {@link #submit}ting. */
    boolean compressesAhead() {
        return workers != null;
    }

    /** Starts compressing {@code raw[off..off+len)}; the array must stay untouched until its page is written. */
    void submit(byte[] raw, int off, int len) {
        pending.put(raw, workers.submit(() -> worker.get().compress(raw, off, len)));
    }

    @Override
    public BytesInput compress(BytesInput bytes) throws IOException {
        if (released) {
            throw new IllegalStateException("compressor already released");
        }
        if (workers == null) {
            return bytes; // UNCOMPRESSED
        }
        if (lastOutput != null) {
            outputs.give(lastOutput);
            lastOutput = null;
        }
        ByteBuffer whole = bytes.toByteBuffer();
        Future<ByteBuffer> ahead = whole.hasArray() ? pending.remove(whole.array()) : null;
        if (ahead == null) { // not submitted (a dictionary page): compressed here
            if (own == null) {
                own = newWorker();
            }
            byte[] in = whole.hasArray() ? whole.array() : bytes.toByteArray();
            int off = whole.hasArray() ? whole.arrayOffset() + whole.position() : 0;
            lastOutput = own.compress(in, off, whole.remaining());
        } else {
            lastOutput = await(ahead);
        }
        return BytesInput.from(lastOutput.duplicate());
    }

    private static ByteBuffer await(Future<ByteBuffer> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while compressing a page");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException("page compression failed: " + cause, cause);
        }
    }

    /** Output buffers kept for reuse now (for tests). */
    int spareOutputs() {
        return outputs.kept();
    }

    @Override
    public CompressionCodecName getCodecName() {
        return codec;
    }

    /**
     * Stops the workers (dropping pages not written), gives the outputs back to the pool and frees the zstd
     * contexts. Idempotent.
     */
    @Override
    public void release() {
        if (released) {
            return;
        }
        released = true;
        pending.values().forEach(f -> f.cancel(false));
        if (lastOutput != null) {
            outputs.give(lastOutput);
            lastOutput = null;
        }
        if (workers == null) {
            return;
        }
        workers.shutdown();
        try {
            if (!workers.awaitTermination(1, TimeUnit.MINUTES)) {
                return; // a worker is stuck: leak its context rather than free it under its feet
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        for (Future<ByteBuffer> f : pending.values()) { // finished before the cancel: their outputs are free
            if (f.isDone() && !f.isCancelled()) {
                try {
                    outputs.give(f.get());
                } catch (ExecutionException | InterruptedException | java.util.concurrent.CancellationException e) {
                    // a failed page has no output to give back
                }
            }
        }
        pending.clear();
        synchronized (contexts) {
            contexts.forEach(ZstdCompressCtx::close);
            contexts.clear();
        }
    }

    private Worker newWorker() {
        if (codec != CompressionCodecName.ZSTD) {
            return new Worker(null, outputs);
        }
        ZstdCompressCtx ctx = new ZstdCompressCtx();
        ctx.setLevel(zstdLevel);
        synchronized (contexts) {
            contexts.add(ctx);
        }
        return new Worker(ctx, outputs);
    }

    /** Direct capacity for {@code size} bytes: rounded up to 64 KiB so that pages of about a size share buffers. */
    static int capacityFor(long size) {
        return (int) Math.min(Integer.MAX_VALUE - 8, (size + 0xFFFF) & ~0xFFFFL);
    }

    /**
     * The direct buffers compressed pages go into, for writers that follow each other. Thread-safe (the
     * workers take, the writer gives back). At most {@link #KEPT} are kept; one too small for a page is
     * dropped and a larger one allocated, so the pool holds what the pages of the moment need and no more.
     */
    static final class Outputs {
        /** Enough for the pages a writer has in flight ({@code PAGES_AHEAD + 1}) and the one being copied. */
        static final int KEPT = PagesAhead.PAGES_AHEAD + 2;

        private final java.util.ArrayDeque<ByteBuffer> free = new java.util.ArrayDeque<>();

        synchronized ByteBuffer take(int capacity) {
            ByteBuffer b = free.pollFirst();
            if (b == null || b.capacity() < capacity) {
                b = ByteBuffer.allocateDirect(capacityFor(capacity));
            }
            return b.clear();
        }

        synchronized void give(ByteBuffer b) {
            if (b.isDirect() && free.size() < KEPT) {
                free.addFirst(b);
            }
        }

        synchronized int kept() {
            return free.size();
        }
    }

    /** One thread's compression state: a zstd context (or none for snappy) and a direct input buffer. */
    private static final class Worker {
        private final ZstdCompressCtx ctx;
        private final Outputs outputs;
        private ByteBuffer in = ByteBuffer.allocateDirect(0);

        Worker(ZstdCompressCtx ctx, Outputs outputs) {
            this.ctx = ctx;
            this.outputs = outputs;
        }

        /** Compresses into a buffer from the pool: its content is {@code [0, limit)}. */
        ByteBuffer compress(byte[] raw, int off, int len) throws IOException {
            if (in.capacity() < len) {
                in = ByteBuffer.allocateDirect(capacityFor(len));
            }
            in.clear();
            in.put(raw, off, len).flip();
            if (ctx == null) {
                ByteBuffer out = outputs.take(Snappy.maxCompressedLength(len));
                int n = Snappy.compress(in, out);
                return out.position(0).limit(n);
            }
            ByteBuffer out = outputs.take((int) Math.min(Integer.MAX_VALUE - 8, Zstd.compressBound(len)));
            int n = ctx.compressDirectByteBuffer(out, 0, out.capacity(), in, 0, len);
            return out.position(0).limit(n);
        }
    }
}
