package io.mixpanelpipelines.simulator;

/**
 * A tiny SplitMix64 generator. Every event gets its own instance seeded from (seed, day, index), which is
 * what makes an event reproducible without generating its neighbours. Not thread-safe (one per event).
 */
final class EventRandom {

    private long state;

    EventRandom(long seed) {
        this.state = seed;
    }

    /** Mixes several values into one well-spread seed. */
    static long seedOf(long a, long b, long c) {
        return mix(mix(mix(a) ^ b) ^ c);
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    long nextLong() {
        state += 0x9e3779b97f4a7c15L;
        return mix(state);
    }

    /** A value in {@code [0, bound)}; the tiny modulo bias does not matter for test data. */
    int nextInt(int bound) {
        return (int) Long.remainderUnsigned(nextLong(), bound);
    }

    boolean chance(int percent) {
        return nextInt(100) < percent;
    }

    <T> T pick(T[] values) {
        return values[nextInt(values.length)];
    }

    /** Random characters from {@code alphabet}. */
    String token(String alphabet, int length) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = alphabet.charAt(nextInt(alphabet.length()));
        }
        return new String(chars);
    }
}
