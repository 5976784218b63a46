package io.mixpanelpipelines.convert.parquet;

/**
 * Parquet's RLE/bit-packing hybrid encoding, for definition levels and dictionary indices. A page whose
 * values are all equal becomes one RLE run; any other page one bit-packed run (values packed
 * least-significant bit first, in groups of 8, the last group padded with zeros). Both are valid hybrid
 * streams; the page's zstd compression then takes care of what longer runs would have saved.
 */
final class HybridEncoding {

    private HybridEncoding() {
    }

    /** The bit width that holds every value from 0 to {@code max}, at least 1. */
    static int bitWidth(int max) {
        return Math.max(1, 32 - Integer.numberOfLeadingZeros(max));
    }

    /** The most bytes {@link #encode} writes for {@code n} values of width {@code bitWidth}. */
    static int maxEncodedSize(int n, int bitWidth) {
        return 5 + (n + 7) / 8 * bitWidth;
    }

    /** Appends the hybrid encoding of {@code values[0..n)} (each below 2^bitWidth) to {@code out}. */
    static void encode(int[] values, int n, int bitWidth, PageBuffer out) {
        if (n == 0) {
            return;
        }
        int first = values[0];
        boolean allEqual = true;
        for (int i = 1; i < n; i++) {
            if (values[i] != first) {
                allEqual = false;
                break;
            }
        }
        if (allEqual) {
            out.putUnsignedVarInt(n << 1);
            for (int b = 0; b < (bitWidth + 7) / 8; b++) {
                out.putByte(first >>> (8 * b));
            }
            return;
        }
        int groups = (n + 7) / 8;
        out.putUnsignedVarInt(groups << 1 | 1);
        out.ensure(groups * bitWidth);
        byte[] b = out.bytes;
        int at = out.size;
        long acc = 0;
        int bits = 0;
        int padded = groups * 8;
        for (int i = 0; i < padded; i++) {
            long v = i < n ? values[i] & 0xFFFFFFFFL : 0;
            acc |= v << bits;
            bits += bitWidth;
            while (bits >= 8) {
                b[at++] = (byte) acc;
                acc >>>= 8;
                bits -= 8;
            }
        }
        out.size = at;
    }
}
