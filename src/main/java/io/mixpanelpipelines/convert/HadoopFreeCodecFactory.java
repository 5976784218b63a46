package io.mixpanelpipelines.convert;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

/**
 * Parquet page compression without Hadoop. parquet-java's own {@code CodecFactory} goes through Hadoop's
 * codec classes, which are not on our class path; this one calls zstd-jni and snappy-java directly.
 * Supports ZSTD, SNAPPY and UNCOMPRESSED, both ways. The decompressors are for a Hadoop-free reader; note that
 * parquet-java 1.16's own read path ({@code ParquetReadOptions.Builder}) still loads Hadoop classes.
 *
 * <p>One factory per writer: compressors hold native zstd contexts that {@link #release()} frees. Not
 * thread-safe.
 */
final class HadoopFreeCodecFactory implements CompressionCodecFactory {

    private final int zstdLevel;
    private final List<BytesInputCompressor> compressors = new ArrayList<>();

    HadoopFreeCodecFactory(int zstdLevel) {
        this.zstdLevel = zstdLevel;
    }

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        BytesInputCompressor compressor = switch (codec) {
            case ZSTD -> new ZstdCompressor(zstdLevel);
            case SNAPPY -> new SnappyCompressor();
            case UNCOMPRESSED -> new NoCompressor();
            default -> throw new UnsupportedOperationException("Parquet codec " + codec + " is not supported");
        };
        compressors.add(compressor);
        return compressor;
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        return switch (codec) {
            case ZSTD -> new ZstdDecompressor();
            case SNAPPY -> new SnappyDecompressor();
            case UNCOMPRESSED -> new NoDecompressor();
            default -> throw new UnsupportedOperationException("Parquet codec " + codec + " is not supported");
        };
    }

    @Override
    public void release() {
        for (BytesInputCompressor compressor : compressors) {
            compressor.release();
        }
        compressors.clear();
    }

    /**
     * zstd through reused input and output arrays: parquet-java consumes what {@code compress} returns
     * before it compresses again (it copies a data page into the row group's buffer, and a dictionary page
     * with {@code BytesInput.copy}), so one pair of arrays serves every page of a writer.
     */
    private static final class ZstdCompressor implements BytesInputCompressor {
        private ZstdCompressCtx ctx;
        private final ReusableBytes input = new ReusableBytes();
        private byte[] output = new byte[0];

        ZstdCompressor(int level) {
            ctx = new ZstdCompressCtx();
            ctx.setLevel(level);
        }

        @Override
        public BytesInput compress(BytesInput bytes) throws IOException {
            if (ctx == null) {
                throw new IllegalStateException("compressor already released");
            }
            // A page made in one array (as ColumnEncoder makes them) is compressed where it is; anything
            // else is gathered into the reused input array first.
            ByteBuffer whole = bytes.toByteBuffer();
            byte[] in;
            int offset;
            int length;
            if (whole.hasArray()) {
                in = whole.array();
                offset = whole.arrayOffset() + whole.position();
                length = whole.remaining();
            } else {
                input.reset();
                bytes.writeAllTo(input);
                in = input.array();
                offset = 0;
                length = input.size();
            }
            int bound = (int) Math.min(Integer.MAX_VALUE - 8, Zstd.compressBound(length));
            if (output.length < bound) {
                output = new byte[bound];
            }
            int n = ctx.compressByteArray(output, 0, output.length, in, offset, length);
            return BytesInput.from(output, 0, n);
        }

        @Override
        public CompressionCodecName getCodecName() {
            return CompressionCodecName.ZSTD;
        }

        @Override
        public void release() {
            if (ctx != null) {
                ctx.close();
                ctx = null;
            }
        }
    }

    private static final class SnappyCompressor implements BytesInputCompressor {
        @Override
        public BytesInput compress(BytesInput bytes) throws IOException {
            return BytesInput.from(Snappy.compress(bytes.toByteArray()));
        }

        @Override
        public CompressionCodecName getCodecName() {
            return CompressionCodecName.SNAPPY;
        }

        @Override
        public void release() {
        }
    }

    private static final class NoCompressor implements BytesInputCompressor {
        @Override
        public BytesInput compress(BytesInput bytes) {
            return bytes;
        }

        @Override
        public CompressionCodecName getCodecName() {
            return CompressionCodecName.UNCOMPRESSED;
        }

        @Override
        public void release() {
        }
    }

    /** Decompresses via byte arrays; the ByteBuffer variant copies, which is fine off the hot path. */
    private abstract static class ArrayDecompressor implements BytesInputDecompressor {
        abstract byte[] decompress(byte[] compressed, int uncompressedSize) throws IOException;

        @Override
        public BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
            return BytesInput.from(decompress(bytes.toByteArray(), uncompressedSize));
        }

        @Override
        public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize)
                throws IOException {
            byte[] compressed = new byte[compressedSize];
            input.duplicate().get(compressed);
            output.put(decompress(compressed, uncompressedSize));
        }

        @Override
        public void release() {
        }
    }

    private static final class ZstdDecompressor extends ArrayDecompressor {
        @Override
        byte[] decompress(byte[] compressed, int uncompressedSize) throws IOException {
            byte[] out = new byte[uncompressedSize];
            long n = Zstd.decompress(out, compressed);
            if (Zstd.isError(n) || n != uncompressedSize) {
                throw new IOException("corrupt zstd page: " + (Zstd.isError(n) ? Zstd.getErrorName(n) : n + " bytes"));
            }
            return out;
        }
    }

    private static final class SnappyDecompressor extends ArrayDecompressor {
        @Override
        byte[] decompress(byte[] compressed, int uncompressedSize) throws IOException {
            byte[] out = new byte[uncompressedSize];
            int n = Snappy.uncompress(compressed, 0, compressed.length, out, 0);
            if (n != uncompressedSize) {
                throw new IOException("corrupt snappy page: " + n + " bytes, expected " + uncompressedSize);
            }
            return out;
        }
    }

    private static final class NoDecompressor extends ArrayDecompressor {
        @Override
        byte[] decompress(byte[] compressed, int uncompressedSize) {
            return compressed;
        }
    }

    /** A growable byte array written as a stream and reused from page to page. */
    private static final class ReusableBytes extends java.io.OutputStream {
        private byte[] bytes = new byte[1 << 16];
        private int size;

        void reset() {
            size = 0;
        }

        byte[] array() {
            return bytes;
        }

        int size() {
            return size;
        }

        @Override
        public void write(int b) {
            ensure(1);
            bytes[size++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, bytes, size, len);
            size += len;
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(size + more, bytes.length * 2));
            }
        }
    }
}
