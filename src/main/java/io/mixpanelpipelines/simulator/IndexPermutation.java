package io.mixpanelpipelines.simulator;

/**
 * A keyed bijection of {@code [0, size)} onto itself, used to serve a day's events in a shuffled but
 * reproducible order without holding the day in memory: a small Feistel network over the next even power
 * of two, with cycle-walking to stay inside the range. Immutable; thread-safe.
 */
final class IndexPermutation {

    private static final int ROUNDS = 4;

    private final long size;
    private final int halfBits;
    private final long halfMask;
    private final long[] roundKeys = new long[ROUNDS];

    IndexPermutation(long size, long key) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be positive: " + size);
        }
        this.size = size;
        int bits = Math.max(2, 64 - Long.numberOfLeadingZeros(size - 1));
        this.halfBits = (bits + 1) / 2;
        this.halfMask = (1L << halfBits) - 1;
        for (int i = 0; i < ROUNDS; i++) {
            roundKeys[i] = EventRandom.seedOf(key, i, 0x5eed);
        }
    }

    /** The index served at {@code position}. */
    long indexAt(long position) {
        if (position < 0 || position >= size) {
            throw new IndexOutOfBoundsException(position);
        }
        long x = position;
        do {
            x = encrypt(x);
        } while (x >= size); // at most a few steps: the domain is under 4 times the range
        return x;
    }

    private long encrypt(long x) {
        long left = x >>> halfBits;
        long right = x & halfMask;
        for (long roundKey : roundKeys) {
            long next = left ^ (EventRandom.mix(right ^ roundKey) & halfMask);
            left = right;
            right = next;
        }
        return (left << halfBits) | right;
    }
}
