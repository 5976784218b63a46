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
 * <p>Like any of parquet-java's compressors here, the bytes {@link #compress} returns are valid until it is
 * called again (parquet-java copies them first); their array then serves another page.
 *
 * <p>{@link #submit} and {@link #compress} belong to one thread (the writer's). {@link #release} waits for
 * the workers before freeing their native zstd contexts.
 */
final class PageCompressor implements BytesInputCompressor {

    /** Output arrays kept for reuse at most: the arrays alive are these, one per page in flight and one more. */
    private static final int MAX_SPARE_OUTPUTS = 8;

    private final CompressionCodecName codec;
    private final int zstdLevel;
    private final ExecutorService workers;
    private final Map<byte[], Future<Compressed>> pending = new IdentityHashMap<>();
    /** Output arrays parquet-java is done with, for the workers to reuse. */
    private final java.util.concurrent.ConcurrentLinkedQueue<byte[]> spareOutputs =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** The output {@link #compress} returned last: parquet-java copies it before it asks again. */
    private byte[] lastOutput;
    private final List<ZstdCompressCtx> contexts = new ArrayList<>();
    private final ThreadLocal<Worker> worker = ThreadLocal.withInitial(this::newWorker);
    private Worker own;
    private boolean released;

    /**
     * @param codec ZSTD, SNAPPY or UNCOMPRESSED (pages are then passed through, and nothing is compressed
     *     ahead)
     */
    PageCompressor(CompressionCodecName codec, int zstdLevel, int threads) {
        if (codec != CompressionCodecName.ZSTD && codec != CompressionCodecName.SNAPPY
                && codec != CompressionCodecName.UNCOMPRESSED) {
            throw new IllegalArgumentException("no page compressor for " + codec);
        }
        this.codec = codec;
        this.zstdLevel = zstdLevel;
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
        pending.put(raw, workers.submit(() -> worker.get().compress(raw, off, len, spareOutputs.poll())));
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
            if (spareOutputs.size() < MAX_SPARE_OUTPUTS) {
                spareOutputs.offer(lastOutput);
            }
            lastOutput = null;
        }
        ByteBuffer whole = bytes.toByteBuffer();
        Future<Compressed> ahead = whole.hasArray() ? pending.remove(whole.array()) : null;
        if (ahead == null) { // not submitted (a dictionary page): compressed here, into an array of its own
            if (own == null) {
                own = newWorker();
            }
            byte[] in = whole.hasArray() ? whole.array() : bytes.toByteArray();
            int off = whole.hasArray() ? whole.arrayOffset() + whole.position() : 0;
            Compressed c = own.compress(in, off, whole.remaining(), null);
            return BytesInput.from(c.bytes(), 0, c.length());
        }
        Compressed c = await(ahead);
        lastOutput = c.bytes();
        return BytesInput.from(c.bytes(), 0, c.length());
    }

    private static Compressed await(Future<Compressed> f) throws IOException {
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

    /** Output arrays kept for reuse now (for tests). */
    int spareOutputs() {
        return spareOutputs.size();
    }

    @Override
    public CompressionCodecName getCodecName() {
        return codec;
    }

    /** Stops the workers (dropping pages not written) and frees the zstd contexts. Idempotent. */
    @Override
    public void release() {
        if (released) {
            return;
        }
        released = true;
        pending.values().forEach(f -> f.cancel(false));
        pending.clear();
        spareOutputs.clear();
        lastOutput = null;
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
        synchronized (contexts) {
            contexts.forEach(ZstdCompressCtx::close);
            contexts.clear();
        }
    }

    private Worker newWorker() {
        if (codec != CompressionCodecName.ZSTD) {
            return new Worker(null);
        }
        ZstdCompressCtx ctx = new ZstdCompressCtx();
        ctx.setLevel(zstdLevel);
        synchronized (contexts) {
            contexts.add(ctx);
        }
        return new Worker(ctx);
    }

    /** A compressed page: the first {@code length} bytes of {@code bytes}. */
    private record Compressed(byte[] bytes, int length) {
    }

    /** One thread's compression state: a zstd context, or none for snappy. */
    private static final class Worker {
        private final ZstdCompressCtx ctx;

        Worker(ZstdCompressCtx ctx) {
            this.ctx = ctx;
        }

        /** Compresses into {@code spare} when it is large enough, else into a new array. */
        Compressed compress(byte[] in, int off, int len, byte[] spare) throws IOException {
            if (ctx == null) {
                byte[] out = Snappy.compress(java.util.Arrays.copyOfRange(in, off, off + len));
                return new Compressed(out, out.length);
            }
            long bound = Zstd.compressBound(len);
            // too small a spare is dropped (the pool keeps what fits the pages that come); a new array is
            // rounded up to 64 KiB so that pages of about the same size share arrays
            byte[] out = spare != null && spare.length >= bound ? spare
                    : new byte[(int) Math.min(Integer.MAX_VALUE - 8, (bound + 0xFFFF) & ~0xFFFFL)];
            return new Compressed(out, ctx.compressByteArray(out, 0, out.length, in, off, len));
        }
    }
}
