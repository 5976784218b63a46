package io.mixpanelpipelines.simulator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.OptionalLong;

/**
 * Mixpanel's per-project export limit: at most N requests in any rolling hour, by an injectable clock.
 * Only admitted requests count, so a client backing off on 429 is not locked out for ever. Thread-safe.
 */
final class HourlyLimit {

    private static final Duration WINDOW = Duration.ofHours(1);

    private final int limit;
    private final Clock clock;
    private final Deque<Instant> admitted = new ArrayDeque<>();

    /** @param limit requests per rolling hour; 0 means unlimited */
    HourlyLimit(int limit, Clock clock) {
        if (limit < 0) {
            throw new IllegalArgumentException("hourly limit must not be negative: " + limit);
        }
        this.limit = limit;
        this.clock = clock;
    }

    /**
     * Admits a request, or says how many seconds to wait before one would be admitted.
     *
     * @return empty when admitted, else the Retry-After in whole seconds (at least 1)
     */
    synchronized OptionalLong tryAcquire() {
        if (limit == 0) {
            return OptionalLong.empty();
        }
        Instant now = clock.instant();
        Instant windowStart = now.minus(WINDOW);
        while (!admitted.isEmpty() && !admitted.peekFirst().isAfter(windowStart)) {
            admitted.removeFirst();
        }
        if (admitted.size() < limit) {
            admitted.addLast(now);
            return OptionalLong.empty();
        }
        Duration wait = Duration.between(windowStart, admitted.peekFirst());
        long seconds = wait.getSeconds() + (wait.getNano() > 0 ? 1 : 0);
        return OptionalLong.of(Math.max(1, seconds));
    }
}
