package io.mixpanelpipelines.convert.parquet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.Zstd;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

/** Pages compressed ahead are the pages asked for, whatever the order; anything else is compressed in place. */
class PageCompressorTests {

    @Test
    void eachPageGetsItsOwnCompressionAndOthersAreCompressedOnTheCaller() throws Exception {
        for (CompressionCodecName codec : List.of(CompressionCodecName.ZSTD, CompressionCodecName.SNAPPY)) {
            PageCompressor compressor = new PageCompressor(codec, 1, 2);
            Random random = new Random(3);
            List<byte[]> pages = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                byte[] page = new byte[10 + random.nextInt(200_000)];
                for (int k = 0; k < page.length; k++) {
                    page[k] = (byte) ('a' + random.nextInt(i + 2)); // compressible, different per page
                }
                pages.add(page);
                compressor.submit(page, 3, page.length - 3);
            }
            for (int i = pages.size() - 1; i >= 0; i--) { // in any order: found by the page's array
                byte[] page = pages.get(i);
                byte[] compressed = compressor.compress(BytesInput.from(page, 3, page.length - 3)).toByteArray();
                assertThat(decompress(codec, compressed, page.length - 3))
                        .isEqualTo(java.util.Arrays.copyOfRange(page, 3, page.length));
            }
            byte[] dictionary = "a dictionary page, never submitted".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            byte[] compressed = compressor.compress(BytesInput.from(dictionary)).toByteArray();
            assertThat(decompress(codec, compressed, dictionary.length)).isEqualTo(dictionary);
            assertThat(compressor.getCodecName()).isEqualTo(codec);
            compressor.release();
            compressor.release();
            assertThatThrownBy(() -> compressor.compress(BytesInput.from(dictionary)))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void keepsBoundedSparesWhatEverTheMixOfPageSizes() throws Exception {
        PageCompressor compressor = new PageCompressor(CompressionCodecName.ZSTD, 1, 2);
        Random random = new Random(5);
        java.util.ArrayDeque<byte[]> inFlight = new java.util.ArrayDeque<>();
        for (int i = 0; i < 2_000; i++) {
            byte[] page = new byte[random.nextBoolean() ? 100 + random.nextInt(1000) : 200_000 + random.nextInt(900_000)];
            compressor.submit(page, 0, page.length);
            inFlight.add(page);
            if (inFlight.size() > 8) { // as the writer does: at most 8 pages ahead
                byte[] oldest = inFlight.poll();
                assertThat(compressor.compress(BytesInput.from(oldest, 0, oldest.length)).size()).isPositive();
            }
        }
        assertThat(compressor.spareOutputs()).isLessThanOrEqualTo(PageCompressor.Outputs.KEPT);
        compressor.release();
    }

    @Test
    void writersThatFollowEachOtherShareTheirOutputsAndKeepThemOffTheHeap() throws Exception {
        PageCompressor.Outputs outputs = new PageCompressor.Outputs();
        Random random = new Random(7);
        for (int writer = 0; writer < 3; writer++) {
            PageCompressor compressor = new PageCompressor(CompressionCodecName.ZSTD, 1, 2, outputs);
            byte[] page = new byte[300_000];
            random.nextBytes(page);
            compressor.submit(page, 0, page.length);
            BytesInput compressed = compressor.compress(BytesInput.from(page, 0, page.length));
            assertThat(compressed.toByteBuffer().isDirect()).as("no heap array pinned by the codec").isTrue();
            assertThat(Zstd.decompress(compressed.toByteArray(), page.length)).isEqualTo(page);
            compressor.release(); // the output goes back to the pool for the next writer
            assertThat(outputs.kept()).isEqualTo(1);
        }
    }

    @Test
    void uncompressedPagesPassThrough() throws Exception {
        PageCompressor compressor = new PageCompressor(CompressionCodecName.UNCOMPRESSED, 1, 2);
        assertThat(compressor.compressesAhead()).isFalse();
        BytesInput page = BytesInput.from(new byte[] {1, 2, 3});
        assertThat(compressor.compress(page)).isSameAs(page);
        compressor.release();
    }

    @Test
    void releaseWithPagesStillPendingStopsCleanly() {
        PageCompressor compressor = new PageCompressor(CompressionCodecName.ZSTD, 1, 2);
        for (int i = 0; i < 50; i++) {
            compressor.submit(new byte[1 << 20], 0, 1 << 20);
        }
        compressor.release(); // an aborted writer: waits for the workers, then frees their contexts
    }

    private static byte[] decompress(CompressionCodecName codec, byte[] compressed, int size) throws Exception {
        if (codec == CompressionCodecName.SNAPPY) {
            return Snappy.uncompress(compressed);
        }
        return Zstd.decompress(compressed, size);
    }
}
