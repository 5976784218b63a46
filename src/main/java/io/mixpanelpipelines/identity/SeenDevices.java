package io.mixpanelpipelines.identity;

import java.util.Arrays;

/**
 * The earliest login time offered so far per device id, keyed by the id's UTF-8 bytes, so that
 * {@link DayIdentities#offer} can pass over the day's later events of a device (most events of a logged-in
 * device) without building a {@link String}: an open-addressing table of hashes, times and a copy of each key
 * (compared in full, so the answer is exact). About 100 bytes per device, and at most {@code maxDevices}
 * devices: the cache is emptied when it is full, as it is only a shortcut (a device it forgot is offered again,
 * and its candidate loses to the one already held or spilled). Not thread-safe.
 */
final class SeenDevices {

    private final int maxDevices;

    private long[] hashes = new long[1024];
    private long[] times = new long[1024];
    private byte[][] keys = new byte[1024][];
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
        return keys[i] != null && times[i] < time;
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
        if (keys[i] != null) {
            times[i] = Math.min(times[i], time);
            return;
        }
        if (size >= maxDevices) { // full: forgotten at once, the table kept (its size is bounded already)
            Arrays.fill(keys, null);
            size = 0;
            i = find(h, b, off, len);
        }
        keys[i] = Arrays.copyOfRange(b, off, off + len);
        hashes[i] = h;
        times[i] = time;
        if (++size * 2 > keys.length) {
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
        hashes = new long[1024];
        times = new long[1024];
        keys = new byte[1024][];
        size = 0;
    }

    private int find(long h, byte[] b, int off, int len) {
        int mask = keys.length - 1;
        int i = (int) (h ^ (h >>> 32)) & mask;
        while (keys[i] != null && (hashes[i] != h || !Arrays.equals(keys[i], 0, keys[i].length, b, off, off + len))) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private void grow() {
        long[] oldHashes = hashes;
        long[] oldTimes = times;
        byte[][] oldKeys = keys;
        hashes = new long[oldKeys.length * 2];
        times = new long[oldKeys.length * 2];
        keys = new byte[oldKeys.length * 2][];
        int mask = keys.length - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldKeys[j] != null) {
                int i = (int) (oldHashes[j] ^ (oldHashes[j] >>> 32)) & mask;
                while (keys[i] != null) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[j];
                hashes[i] = oldHashes[j];
                times[i] = oldTimes[j];
            }
        }
    }

    /** FNV-1a, 64 bits, mixed: ids are short and often share long prefixes. */
    private static long hash(byte[] b, int off, int len) {
        long h = 0xcbf29ce484222325L;
        for (int i = off; i < off + len; i++) {
            h = (h ^ (b[i] & 0xff)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        return h ^ (h >>> 33);
    }
}
