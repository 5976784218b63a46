package io.mixpanelpipelines.ingest;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A fast 64-bit hash of a line's bytes. A day's content hash is the sum of its lines' hashes (modulo 2^64)
 * with their count: independent of the order Mixpanel serves them in, so a re-fetched day with the same
 * events compares equal. Not cryptographic: it tells "changed" from "unchanged".
 *
 * <p>Four independent lanes of eight bytes (the xxHash64 scheme) so that the multiplications overlap
 * instead of waiting on each other: every byte of a day goes through here. Since this version a day's
 * hash differs from the one-lane hash of earlier versions, so the first late-data re-fetch of a day
 * published by them rewrites it once.
 */
public final class LineHash {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long P3 = 0x165667B19E3779F9L;
    private static final long P4 = 0x85EBCA77C2B2AE63L;
    private static final long P5 = 0x27D4EB2F165667C5L;

    private LineHash() {
    }

    static long hash(byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        long h;
        if (len >= 32) {
            long v1 = P1 + P2;
            long v2 = P2;
            long v3 = 0;
            long v4 = -P1;
            for (int limit = end - 32; i <= limit; i += 32) {
                v1 = round(v1, (long) LONGS.get(b, i));
                v2 = round(v2, (long) LONGS.get(b, i + 8));
                v3 = round(v3, (long) LONGS.get(b, i + 16));
                v4 = round(v4, (long) LONGS.get(b, i + 24));
            }
            h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
            h = merge(h, v1);
            h = merge(h, v2);
            h = merge(h, v3);
            h = merge(h, v4);
        } else {
            h = P5;
        }
        h += len;
        for (; i + 8 <= end; i += 8) {
            h ^= round(0, (long) LONGS.get(b, i));
            h = Long.rotateLeft(h, 27) * P1 + P4;
        }
        for (; i < end; i++) {
            h ^= (b[i] & 0xFFL) * P5;
            h = Long.rotateLeft(h, 11) * P1;
        }
        h ^= h >>> 33;
        h *= P2;
        h ^= h >>> 29;
        h *= P3;
        return h ^ (h >>> 32);
    }

    private static long round(long acc, long input) {
        return Long.rotateLeft(acc + input * P2, 31) * P1;
    }

    private static long merge(long h, long v) {
        return (h ^ round(0, v)) * P1 + P4;
    }

    /** The content hash of a day: its row count and the sum of its lines' hashes. */
    public static String format(long rows, long sum) {
        return rows + ":" + Long.toHexString(sum);
    }
}
