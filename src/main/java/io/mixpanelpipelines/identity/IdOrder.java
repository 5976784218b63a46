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

    static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }

    /**
     * The first 8 bytes of {@code id}, big-endian, zero-padded: ids whose prefixes differ compare as their
     * prefixes do, unsigned ({@link Long#compareUnsigned}); only equal prefixes need {@link #compare(byte[], byte[])}.
     * (At the first byte where two prefixes differ, either both ids have that byte, or the shorter one ended
     * there and reads 0 against a byte above 0: the shorter comes first, as in the full order.)
     */
    static long prefix(byte[] id) {
        return prefix(id, id.length);
    }

    /** {@link #prefix(byte[])} of {@code id[0..length)}. */
    static long prefix(byte[] id, int length) {
        return prefix(id, 0, length);
    }

    /** {@link #prefix(byte[])} of {@code id[offset..offset+length)}. */
    static long prefix(byte[] id, int offset, int length) {
        long p = 0;
        int n = Math.min(8, length);
        for (int i = 0; i < n; i++) {
            p |= (id[offset + i] & 0xFFL) << (56 - 8 * i);
        }
        return p;
    }

    static int compare(byte[] a, int aLength, byte[] b, int bLength) {
        return Arrays.compareUnsigned(a, 0, aLength, b, 0, bLength);
    }

    /** Well-formed strings (no lone surrogate, as ids are), in the order of their UTF-8 bytes. */
    static int compare(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                boolean sx = Character.isSurrogate(x);
                return sx == Character.isSurrogate(y) ? x - y : sx ? 1 : -1;
            }
        }
        return a.length() - b.length();
    }

    /**
     * Whether a candidate resolved to {@code a[0..aLength)} at {@code timeA} wins over one resolved to
     * {@code b[0..bLength)} at {@code timeB} for the same id: earlier, or as early with a smaller resolved id.
     */
    static boolean earlier(byte[] a, int aLength, long timeA, byte[] b, int bLength, long timeB) {
        return timeA < timeB || (timeA == timeB && compare(a, aLength, b, bLength) < 0);
    }
}
