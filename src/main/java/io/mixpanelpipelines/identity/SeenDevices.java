package io.mixpanelpipelines.identity;

import java.util.Arrays;

/**
 * The earliest login time offered so far per device id, keyed by the id's UTF-8 bytes, so that
 * {@link DayIdentities#offer} can pass over the day's later events of a device (most events of a logged-in
 * device) without building a {@link String}: an open-addressing table of hashes, times and where each key's copy
 * is in one block of bytes (compared in full, so the answer is exact); no object per device. At most {@code
 * maxDevices} devices, and {@value #BYTES_PER_DEVICE} bytes of keys per device of that bound (1 MiB at least):
 * the cache is emptied when either is full, as it is only a shortcut (a device it forgot is offered again, and its
 * candidate loses to the one already held or spilled). About 70 bytes per device with 36-character ids. Not
 * thread-safe.
 */
final class SeenDevices {

    /** The bytes of keys per device of the bound before the cache is emptied: long ids empty it sooner. */
    static final int BYTES_PER_DEVICE = 64;
    private static final int INITIAL = 1024;

    private final int maxDevices;
    private final long maxBytes;

    private long[] hashes = new long[INITIAL];
    private long[] times = new long[INITIAL];
    /** Where a slot's key starts in {@link #block}; -1 for an empty slot. */
    private int[] keyAt = empty(INITIAL);
    private int[] keyLength = new int[INITIAL];
    private byte[] block = new byte[INITIAL * 32];
    private int used;
    private int size;
    /** The key {@link #earlierThan} last looked up, and where: null once the table changed since. */
    private byte[] lastBytes;
    private int lastOffset;
    private int lastLength;
    private long lastHash;
    private int lastSlot;

    /** @param maxDevices the most devices remembered before the cache is emptied */
    SeenDevices(int maxDevices) {
        this.maxDevices = maxDevices;
        this.maxBytes = Math.max(1 << 20, (long) BYTES_PER_DEVICE * maxDevices);
    }

    private static int[] empty(int n) {
        int[] a = new int[n];
        Arrays.fill(a, -1);
        return a;
    }

    /** Whether {@code key} was recorded with a time strictly before {@code time}. */
    boolean earlierThan(byte[] b, int off, int len, long time) {
        long h = hash(b, off, len);
        int i = find(h, b, off, len);
        lastBytes = b;
        lastOffset = off;
        lastLength = len;
        lastHash = h;
        lastSlot = i;
        return keyAt[i] >= 0 && times[i] < time;
    }

    /**
     * Records {@code time} for {@code key}, keeping the earliest. Right after {@link #earlierThan} on the same
     * key (the same array, offset and length, its bytes unchanged), the slot it found is used again.
     */
    void record(byte[] b, int off, int len, long time) {
        boolean same = b == lastBytes && off == lastOffset && len == lastLength;
        lastBytes = null;
        long h = same ? lastHash : hash(b, off, len);
        int i = same ? lastSlot : find(h, b, off, len);
        if (keyAt[i] >= 0) {
            times[i] = Math.min(times[i], time);
            return;
        }
        if (size >= maxDevices || used >= maxBytes) { // full: forgotten at once, the table kept (its size is bounded already)
            Arrays.fill(keyAt, -1);
            size = 0;
            used = 0;
            i = find(h, b, off, len);
        }
        if (used + len > block.length) {
            block = Arrays.copyOf(block, (int) Math.min(Integer.MAX_VALUE - 16, Math.max(2L * block.length, (long) used + len)));
        }
        System.arraycopy(b, off, block, used, len);
        keyAt[i] = used;
        keyLength[i] = len;
        used += len;
        hashes[i] = h;
        times[i] = time;
        if (++size * 2 > keyAt.length) {
            grow();
        }
    }

    /** The devices remembered now. */
    int size() {
        return size;
    }

    /** Forgets every device and gives the grown table back. */
    void clear() {
        lastBytes = null;
        hashes = new long[INITIAL];
        times = new long[INITIAL];
        keyAt = empty(INITIAL);
        keyLength = new int[INITIAL];
        block = new byte[INITIAL * 32];
        used = 0;
        size = 0;
    }

    private int find(long h, byte[] b, int off, int len) {
        int mask = keyAt.length - 1;
        int i = (int) (h ^ (h >>> 32)) & mask;
        while (keyAt[i] >= 0 && (hashes[i] != h || !Arrays.equals(block, keyAt[i], keyAt[i] + keyLength[i], b, off, off + len))) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private void grow() {
        long[] oldHashes = hashes;
        long[] oldTimes = times;
        int[] oldAt = keyAt;
        int[] oldLength = keyLength;
        int n = oldAt.length * 2;
        hashes = new long[n];
        times = new long[n];
        keyAt = empty(n);
        keyLength = new int[n];
        int mask = n - 1;
        for (int j = 0; j < oldAt.length; j++) {
            if (oldAt[j] >= 0) {
                int i = (int) (oldHashes[j] ^ (oldHashes[j] >>> 32)) & mask;
                while (keyAt[i] >= 0) {
                    i = (i + 1) & mask;
                }
                keyAt[i] = oldAt[j];
                keyLength[i] = oldLength[j];
                hashes[i] = oldHashes[j];
                times[i] = oldTimes[j];
            }
        }
    }

    /** FNV-1a, 64 bits, mixed: ids are short and often share long prefixes. */
    static long hash(byte[] b, int off, int len) {
        long h = 0xcbf29ce484222325L;
        for (int i = off; i < off + len; i++) {
            h = (h ^ (b[i] & 0xff)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        return h ^ (h >>> 33);
    }
}
