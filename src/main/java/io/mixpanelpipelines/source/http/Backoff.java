package io.mixpanelpipelines.source.http;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** The wait before another try, shared by the export and engage clients. Stateless; thread-safe. */
final class Backoff {

    private Backoff() {
    }

    /**
     * A 429's {@code Retry-After} up to {@code maxBackoff}; otherwise exponential from {@code initialBackoff},
     * capped at {@code maxBackoff}, with "equal jitter" (half fixed, half random) so that parallel workers do
     * not retry in lockstep.
     *
     * @param retryAfter the server's Retry-After, or null
     */
    static Duration wait(ClientSettings settings, int attempt, Duration retryAfter) {
        if (retryAfter != null) {
            return retryAfter.compareTo(settings.maxBackoff()) <= 0 ? retryAfter : settings.maxBackoff();
        }
        long base = settings.initialBackoff().toMillis();
        long cap = settings.maxBackoff().toMillis();
        long exp = Math.min(cap, base * (1L << Math.min(20, attempt - 1)));
        long jittered = exp / 2 + ThreadLocalRandom.current().nextLong(exp / 2 + 1);
        return Duration.ofMillis(Math.max(1, jittered));
    }
}
