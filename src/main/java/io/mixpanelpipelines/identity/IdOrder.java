package io.mixpanelpipelines.identity;

import java.util.Arrays;

/**
 * The one order of ids in a day's mappings: their UTF-8 bytes, unsigned, which is the order of their code
 * points and Parquet's for binary values. Candidates are sorted, spilled, merged and tied by it, so the rows do
 * not depend on where memory was spilled. {@link String#compareTo} (UTF-16 units) differs from it: it puts a
 * character past U+FFFF before U+E000-U+FFFF.
 */
final class IdOrder {

    private IdOrder() {
    }

    /** {@code a[aFrom..aFrom+aLength)} against {@code b[bFrom..bFrom+bLength)}. */
    static int compare(byte[] a, int aFrom, int aLength, byte[] b, int bFrom, int bLength) {
        return Arrays.compareUnsigned(a, aFrom, aFrom + aLength, b, bFrom, bFrom + bLength);
    }

    /** {@code a[0..aLength)} against {@code b[0..bLength)}. */
    static int compare(byte[] a, int aLength, byte[] b, int bLength) {
        return compare(a, 0, aLength, b, 0, bLength);
    }

    /**
     * The first 8 bytes of {@code id[offset..offset+length)}, big-endian, zero-padded: ids whose prefixes differ
     * compare as their prefixes do, unsigned ({@link Long#compareUnsigned}); only equal prefixes need {@link
     * #compare}. (At the first byte where two prefixes differ, either both ids have that byte, or the shorter one
     * ended there and reads 0 against a byte above 0: the shorter comes first, as in the full order.)
     */
    static long prefix(byte[] id, int offset, int length) {
        long p = 0;
        int n = Math.min(8, length);
        for (int i = 0; i < n; i++) {
            p |= (id[offset + i] & 0xFFL) << (56 - 8 * i);
        }
        return p;
    }

    /** {@link #prefix(byte[], int, int)} of {@code id[0..length)}. */
    static long prefix(byte[] id, int length) {
        return prefix(id, 0, length);
    }

    /**
     * Whether a candidate resolved to {@code a[aFrom..aFrom+aLength)} at {@code timeA} wins over one resolved to
     * {@code b[bFrom..bFrom+bLength)} at {@code timeB} for the same id: earlier, or as early with a smaller
     * resolved id.
     */
    static boolean earlier(byte[] a, int aFrom, int aLength, long timeA, byte[] b, int bFrom, int bLength, long timeB) {
        return timeA < timeB || (timeA == timeB && compare(a, aFrom, aLength, b, bFrom, bLength) < 0);
    }

    /** {@link #earlier(byte[], int, int, long, byte[], int, int, long)} of ids from the arrays' start. */
    static boolean earlier(byte[] a, int aLength, long timeA, byte[] b, int bLength, long timeB) {
        return earlier(a, 0, aLength, timeA, b, 0, bLength, timeB);
    }
}
