package io.mixpanelpipelines.convert.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.util.Random;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridDecoder;
import org.junit.jupiter.api.Test;

/** {@link HybridEncoding}'s output decoded by parquet-java's own decoder. */
class HybridEncodingTests {

    @Test
    void bitWidthCoversTheLargestValue() {
        assertThat(HybridEncoding.bitWidth(0)).isEqualTo(1);
        assertThat(HybridEncoding.bitWidth(1)).isEqualTo(1);
        assertThat(HybridEncoding.bitWidth(2)).isEqualTo(2);
        assertThat(HybridEncoding.bitWidth(255)).isEqualTo(8);
        assertThat(HybridEncoding.bitWidth(256)).isEqualTo(9);
        assertThat(HybridEncoding.bitWidth(Integer.MAX_VALUE)).isEqualTo(31);
    }

    @Test
    void mixedValuesOfEveryWidthDecode() throws Exception {
        Random random = new Random(7);
        for (int width = 1; width <= 24; width++) {
            for (int n : new int[] {1, 2, 7, 8, 9, 15, 16, 17, 1000, ColumnEncoder.PAGE_ROW_LIMIT}) {
                int[] values = new int[n];
                for (int i = 0; i < n; i++) {
                    values[i] = random.nextInt(1 << width);
                }
                values[n - 1] = (1 << width) - 1; // the widest value, last (next to the padding)
                assertDecodes(values, width);
            }
        }
    }

    @Test
    void equalValuesBecomeOneRunOfAnyLength() throws Exception {
        for (int n : new int[] {1, 3, 8, 20_000}) {
            for (int value : new int[] {0, 1, 300, 70_000}) {
                int[] values = new int[n];
                java.util.Arrays.fill(values, value);
                int width = HybridEncoding.bitWidth(value);
                int size = assertDecodes(values, width);
                assertThat(size).as("RLE run: header + value bytes").isLessThanOrEqualTo(3 + (width + 7) / 8);
            }
        }
    }

    @Test
    void staysWithinTheReservedSize() {
        int n = ColumnEncoder.PAGE_ROW_LIMIT;
        int[] values = new int[n];
        for (int i = 0; i < n; i++) {
            values[i] = i % 2;
        }
        PageBuffer out = new PageBuffer(16);
        HybridEncoding.encode(values, n, 1, out);
        assertThat(out.size).isLessThanOrEqualTo(HybridEncoding.maxEncodedSize(n, 1));
    }

    /** Encodes, decodes and compares; returns the encoded size. */
    private static int assertDecodes(int[] values, int width) throws Exception {
        PageBuffer out = new PageBuffer(16);
        out.putByte(0x5A); // the encoding is appended: what is before it stays
        HybridEncoding.encode(values, values.length, width, out);
        assertThat(out.bytes[0]).isEqualTo((byte) 0x5A);
        assertThat(out.size - 1).isLessThanOrEqualTo(HybridEncoding.maxEncodedSize(values.length, width));
        RunLengthBitPackingHybridDecoder decoder = new RunLengthBitPackingHybridDecoder(width,
                new ByteArrayInputStream(out.bytes, 1, out.size - 1));
        for (int i = 0; i < values.length; i++) {
            assertThat(decoder.readInt()).as("value %d of %d at width %d", i, values.length, width).isEqualTo(values[i]);
        }
        return out.size - 1;
    }
}
