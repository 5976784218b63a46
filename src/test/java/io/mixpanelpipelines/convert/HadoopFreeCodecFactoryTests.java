package io.mixpanelpipelines.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The codecs in isolation. (Reading our files back through parquet-java is not possible without Hadoop:
 * in 1.16 {@code ParquetReadOptions.Builder} loads {@code ParquetInputFormat}, a Hadoop subclass; DuckDB
 * is the independent reader in {@link EventParquetWriterTests}.)
 */
class HadoopFreeCodecFactoryTests {

    private static byte[] sample() {
        Random random = new Random(1);
        StringBuilder b = new StringBuilder();
        while (b.length() < 200_000) {
            b.append("{\"time\":").append(random.nextInt()).append(",\"x\":\"abc\"}");
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(value = CompressionCodecName.class, names = {"ZSTD", "SNAPPY", "UNCOMPRESSED"})
    void compressesAndDecompresses(CompressionCodecName codec) throws Exception {
        byte[] input = sample();
        HadoopFreeCodecFactory factory = new HadoopFreeCodecFactory(3);
        CompressionCodecFactory.BytesInputCompressor compressor = factory.getCompressor(codec);
        assertThat(compressor.getCodecName()).isEqualTo(codec);
        byte[] compressed = compressor.compress(BytesInput.from(input)).toByteArray();
        if (codec != CompressionCodecName.UNCOMPRESSED) {
            assertThat(compressed.length).isLessThan(input.length / 2);
        }

        CompressionCodecFactory.BytesInputDecompressor decompressor = factory.getDecompressor(codec);
        assertThat(decompressor.decompress(BytesInput.from(compressed), input.length).toByteArray()).isEqualTo(input);

        for (boolean direct : new boolean[] {false, true}) {
            ByteBuffer in = direct ? ByteBuffer.allocateDirect(compressed.length) : ByteBuffer.allocate(compressed.length);
            in.put(compressed).flip();
            ByteBuffer out = direct ? ByteBuffer.allocateDirect(input.length) : ByteBuffer.allocate(input.length);
            decompressor.decompress(in, compressed.length, out, input.length);
            out.flip();
            byte[] result = new byte[out.remaining()];
            out.get(result);
            assertThat(result).isEqualTo(input);
        }
        factory.release();
    }

    @Test
    void releasedZstdCompressorRefusesWork() {
        HadoopFreeCodecFactory factory = new HadoopFreeCodecFactory(3);
        CompressionCodecFactory.BytesInputCompressor compressor = factory.getCompressor(CompressionCodecName.ZSTD);
        factory.release();
        assertThatThrownBy(() -> compressor.compress(BytesInput.from(new byte[10])))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void unsupportedCodecsAreNamed() {
        HadoopFreeCodecFactory factory = new HadoopFreeCodecFactory(3);
        assertThatThrownBy(() -> factory.getCompressor(CompressionCodecName.LZO)).hasMessageContaining("LZO");
    }
}
