package io.mixpanelpipelines.convert.parquet;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A growable byte array that one column's pages are assembled in, reused from page to page. Multi-byte
 * values are little-endian, as Parquet's PLAIN encoding wants them. Not thread-safe.
 */
final class PageBuffer {

    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final long MIB = 1 << 20;
    private static final long HALF_REGION = MIB / 2;

    byte[] bytes;
    int size;

    PageBuffer(int initialCapacity) {
        bytes = new byte[Math.max(16, initialCapacity)];
    }

    /** Makes room for {@code more} bytes after {@link #size}. */
    void ensure(int more) {
        long needed = (long) size + more;
        if (needed > bytes.length) {
            if (needed > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("a Parquet page cannot hold more than 2 GiB");
            }
            bytes = Arrays.copyOf(bytes, (int) Math.min(Integer.MAX_VALUE - 16, regionFriendly(needed, 2L * bytes.length)));
        }
    }

    /**
     * The capacity to grow to: {@code doubled}, but above 512 KiB a whole number of MiB less an array's
     * 16-byte header, the smaller such size that still holds {@code needed}. G1 (the JVM's collector unless
     * the launcher's is chosen) gives an array of half a region or more whole 1 MiB regions of its own, so
     * a page array of 1.05 MiB took two; with {@link BytesColumnEncoder} ending a page rather than growing
     * past its array, a 1 MiB page's array takes one.
     */
    static long regionFriendly(long needed, long doubled) {
        long wanted = Math.max(needed, doubled);
        if (wanted <= HALF_REGION) {
            return wanted;
        }
        long down = (wanted / MIB) * MIB - 16;
        return down >= needed ? down : ((needed + 16 + MIB - 1) / MIB) * MIB - 16;
    }

    /** Whether {@code more} bytes fit after {@link #size} without growing. */
    boolean fits(int more) {
        return (long) size + more <= bytes.length;
    }

    void putByte(int b) {
        ensure(1);
        bytes[size++] = (byte) b;
    }

    void putInt(int v) {
        ensure(4);
        INTS.set(bytes, size, v);
        size += 4;
    }

    void putLong(long v) {
        ensure(8);
        LONGS.set(bytes, size, v);
        size += 8;
    }

    /** PLAIN encoding of a byte array: its length as 4 bytes, then the bytes. */
    void putLengthPrefixed(byte[] b, int off, int len) {
        ensure(4 + len);
        INTS.set(bytes, size, len);
        System.arraycopy(b, off, bytes, size + 4, len);
        size += 4 + len;
    }

    void putUnsignedVarInt(int v) {
        ensure(5);
        while ((v & ~0x7F) != 0) {
            bytes[size++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        bytes[size++] = (byte) v;
    }

    static void putIntAt(byte[] b, int at, int v) {
        INTS.set(b, at, v);
    }

    static int intAt(byte[] b, int at) {
        return (int) INTS.get(b, at);
    }
}
