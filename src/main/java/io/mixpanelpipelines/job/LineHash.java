package io.mixpanelpipelines.job;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A fast 64-bit hash of a line's bytes, eight bytes at a time. A day's content hash is the sum of its lines'
 * hashes (modulo 2^64) with their count: independent of the order Mixpanel serves them in, so a re-fetched
 * day with the same events compares equal. Not cryptographic: it tells "changed" from "unchanged".
 */
final class LineHash {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;

    private LineHash() {
    }

    static long hash(byte[] b, int off, int len) {
        long h = P2 ^ len;
        int i = off;
        int end = off + len;
        for (; i + 8 <= end; i += 8) {
            long k = (long) LONGS.get(b, i) * P1;
            h = Long.rotateLeft(h ^ Long.rotateLeft(k, 31) * P2, 27) * P1 + P2;
        }
        long tail = 0;
        for (int shift = 0; i < end; i++, shift += 8) {
            tail |= (b[i] & 0xFFL) << shift;
        }
        h ^= Long.rotateLeft(tail * P1, 31) * P2;
        h ^= h >>> 33;
        h *= P2;
        h ^= h >>> 29;
        h *= P1;
        return h ^ (h >>> 32);
    }

    /** The content hash of a day: its row count and the sum of its lines' hashes. */
    static String format(long rows, long sum) {
        return rows + ":" + Long.toHexString(sum);
    }
}
