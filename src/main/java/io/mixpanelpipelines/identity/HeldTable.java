package io.mixpanelpipelines.identity;

import java.util.Arrays;

/**
 * The candidates a day holds in memory ({@link DayIdentities}), without an object per candidate: each id and
 * resolved id as UTF-8 in one block of bytes; per candidate, numbered from 0, where they are, the time, the
 * {@linkplain DayIdentities twin} mark, the id's hash and its first 8 bytes ({@link IdOrder#prefix}) in arrays;
 * and an open-addressing index from the id's hash to the candidate's number. The arrays grow to what a day's
 * spill holds and are kept by {@link #clear}, so that after the first spill holding candidates allocates
 * nothing. (Held as objects, a candidate took two strings, their bytes again and a map entry: 270-310 bytes,
 * which outlived young collections until the next spill. Here it takes its bytes and about 60 more.)
 *
 * <p>A candidate whose resolved id is replaced by a longer one gets the new one appended to the block; the
 * block is compacted when it is full and more than half of it is such leftovers, so it stays within a few
 * times what the candidates hold. Ids are compared byte by byte, so a lookup is exact. Not thread-safe.
 */
final class HeldTable {

    private static final int INITIAL = 1024;

    private byte[] bytes = new byte[INITIAL * 64];
    /** The block's bytes written so far, and how many of them belong to no candidate any more. */
    private int used;
    private int garbage;
    private int size;
    private int[] idAt = new int[INITIAL];
    private int[] idLength = new int[INITIAL];
    private int[] resolvedAt = new int[INITIAL];
    private int[] resolvedLength = new int[INITIAL];
    private long[] times = new long[INITIAL];
    private long[] prefixes = new long[INITIAL];
    private int[] hashes = new int[INITIAL];
    private boolean[] twins = new boolean[INITIAL];
    /** Candidate number + 1 per slot; 0 for an empty slot. At most half full. */
    private int[] index = new int[INITIAL * 2];
    private int[] order = new int[0];
    private int[] scratch = new int[0];

    /** The candidates held. */
    int size() {
        return size;
    }

    /** The block's bytes in use, leftovers of replaced resolved ids included. */
    int bytesUsed() {
        return used;
    }

    /** The hash a lookup of {@code b[off..off+len)} takes: {@link SeenDevices#hash}, folded to 32 bits. */
    static int hash(byte[] b, int off, int len) {
        long h = SeenDevices.hash(b, off, len);
        return (int) (h ^ (h >>> 32));
    }

    /** The number of the candidate held for the id {@code b[off..off+len)} (its {@link #hash} {@code hash}), or -1. */
    int find(int hash, byte[] b, int off, int len) {
        int mask = index.length - 1;
        for (int i = hash & mask; index[i] != 0; i = (i + 1) & mask) {
            int e = index[i] - 1;
            if (hashes[e] == hash && Arrays.equals(bytes, idAt[e], idAt[e] + idLength[e], b, off, off + len)) {
                return e;
            }
        }
        return -1;
    }

    /**
     * Holds a candidate for an id not held ({@link #find} gave -1 for it): the id {@code id[idOff..idOff+idLen)}
     * (hash {@code hash}) resolved to {@code r[rOff..rOff+rLen)} at {@code time}.
     */
    void add(int hash, byte[] id, int idOff, int idLen, byte[] r, int rOff, int rLen, long time, boolean twin) {
        if (size == idAt.length) {
            growEntries();
        }
        if ((size + 1) * 2 > index.length) {
            growIndex();
        }
        ensure(idLen + rLen);
        int e = size++;
        idAt[e] = put(id, idOff, idLen);
        idLength[e] = idLen;
        resolvedAt[e] = put(r, rOff, rLen);
        resolvedLength[e] = rLen;
        times[e] = time;
        prefixes[e] = IdOrder.prefix(bytes, idAt[e], idLen);
        hashes[e] = hash;
        twins[e] = twin;
        int mask = index.length - 1;
        int i = hash & mask;
        while (index[i] != 0) {
            i = (i + 1) & mask;
        }
        index[i] = e + 1;
    }

    /** Whether {@code r[rOff..rOff+rLen)} at {@code time} wins over candidate {@code e}'s: {@link IdOrder#earlier}. */
    boolean beats(int e, byte[] r, int rOff, int rLen, long time) {
        return IdOrder.earlier(r, rOff, rLen, time, bytes, resolvedAt[e], resolvedLength[e], times[e]);
    }

    /** Candidate {@code e} now resolves to {@code r[rOff..rOff+rLen)} (not bytes of this table) at {@code time}. */
    void update(int e, byte[] r, int rOff, int rLen, long time, boolean twin) {
        if (rLen <= resolvedLength[e]) {
            System.arraycopy(r, rOff, bytes, resolvedAt[e], rLen);
            garbage += resolvedLength[e] - rLen;
        } else {
            ensure(rLen); // may compact: the old id is copied too, and left behind below
            garbage += resolvedLength[e];
            resolvedAt[e] = put(r, rOff, rLen);
        }
        resolvedLength[e] = rLen;
        times[e] = time;
        twins[e] = twin;
    }

    boolean twin(int e) {
        return twins[e];
    }

    long time(int e) {
        return times[e];
    }

    /** Candidate {@code e}'s resolved id, copied. */
    byte[] resolvedCopy(int e) {
        return Arrays.copyOfRange(bytes, resolvedAt[e], resolvedAt[e] + resolvedLength[e]);
    }

    /** The block every candidate's bytes are in: valid until the table changes. */
    byte[] bytes() {
        return bytes;
    }

    int idAt(int e) {
        return idAt[e];
    }

    int idLength(int e) {
        return idLength[e];
    }

    long prefix(int e) {
        return prefixes[e];
    }

    int resolvedAt(int e) {
        return resolvedAt[e];
    }

    int resolvedLength(int e) {
        return resolvedLength[e];
    }

    /** Forgets every candidate, keeping the arrays. */
    void clear() {
        Arrays.fill(index, 0);
        size = 0;
        used = 0;
        garbage = 0;
    }

    /**
     * The candidates' numbers in ascending order of their ids' UTF-8 bytes ({@link IdOrder}), in the first
     * {@link #size} places of an array the table reuses: valid until the next call or change. A merge sort of
     * its own (see {@link #sortInto}).
     */
    int[] sorted() {
        if (order.length < size) {
            order = new int[idAt.length];
            scratch = new int[idAt.length];
        }
        for (int e = 0; e < size; e++) {
            order[e] = e;
            scratch[e] = e;
        }
        sortInto(scratch, order, 0, size);
        return order;
    }

    /** Below this many candidates a range is sorted by insertion. */
    private static final int INSERTION = 16;

    /**
     * Sorts {@code src[lo..hi)} into {@code dst[lo..hi)} (both hold the same numbers there on entry): stable, n
     * log n comparisons, compiled for this one comparison. (The JDK's TimSort is shared by every comparator of
     * the process, Spring's at start-up among them, and was compiled again several times a run.)
     */
    private void sortInto(int[] src, int[] dst, int lo, int hi) {
        if (hi - lo < INSERTION) {
            for (int i = lo + 1; i < hi; i++) {
                int e = dst[i];
                int j = i - 1;
                while (j >= lo && less(e, dst[j])) {
                    dst[j + 1] = dst[j];
                    j--;
                }
                dst[j + 1] = e;
            }
            return;
        }
        int mid = (lo + hi) >>> 1;
        sortInto(dst, src, lo, mid);
        sortInto(dst, src, mid, hi);
        if (!less(src[mid], src[mid - 1])) { // already in order
            System.arraycopy(src, lo, dst, lo, hi - lo);
            return;
        }
        for (int i = lo, p = lo, q = mid; i < hi; i++) {
            dst[i] = q >= hi || (p < mid && !less(src[q], src[p])) ? src[p++] : src[q++];
        }
    }

    private boolean less(int a, int b) {
        return prefixes[a] != prefixes[b] ? Long.compareUnsigned(prefixes[a], prefixes[b]) < 0
                : IdOrder.compare(bytes, idAt[a], idLength[a], bytes, idAt[b], idLength[b]) < 0;
    }

    private int put(byte[] src, int off, int len) {
        int at = used;
        System.arraycopy(src, off, bytes, at, len);
        used += len;
        return at;
    }

    /** Room for {@code n} more bytes in the block: leftovers compacted away first when they are most of it. */
    private void ensure(int n) {
        if (used + n <= bytes.length) {
            return;
        }
        if (garbage > used / 2) {
            compact();
        }
        if (used + n > bytes.length) {
            bytes = Arrays.copyOf(bytes, (int) Math.min(Integer.MAX_VALUE - 16, Math.max(2L * bytes.length, (long) used + n)));
        }
    }

    /** Copies every candidate's bytes to a new block, without the leftovers. */
    private void compact() {
        byte[] old = bytes;
        bytes = new byte[Math.max(INITIAL * 64, 2 * (used - garbage))];
        used = 0;
        for (int e = 0; e < size; e++) {
            idAt[e] = put(old, idAt[e], idLength[e]);
            resolvedAt[e] = put(old, resolvedAt[e], resolvedLength[e]);
        }
        garbage = 0;
    }

    private void growEntries() {
        int n = idAt.length * 2;
        idAt = Arrays.copyOf(idAt, n);
        idLength = Arrays.copyOf(idLength, n);
        resolvedAt = Arrays.copyOf(resolvedAt, n);
        resolvedLength = Arrays.copyOf(resolvedLength, n);
        times = Arrays.copyOf(times, n);
        prefixes = Arrays.copyOf(prefixes, n);
        hashes = Arrays.copyOf(hashes, n);
        twins = Arrays.copyOf(twins, n);
    }

    private void growIndex() {
        index = new int[index.length * 2];
        int mask = index.length - 1;
        for (int e = 0; e < size; e++) {
            int i = hashes[e] & mask;
            while (index[i] != 0) {
                i = (i + 1) & mask;
            }
            index[i] = e + 1;
        }
    }
}
