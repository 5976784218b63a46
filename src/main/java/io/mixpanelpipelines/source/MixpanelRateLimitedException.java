package io.mixpanelpipelines.source;

import java.time.Duration;

/**
 * Mixpanel kept answering 429 (the project's limit is spent): the work is deferred. Carries the last 429's
 * {@code Retry-After} when Mixpanel sent one, so that the next run is not announced before Mixpanel admits it.
 */
public class MixpanelRateLimitedException extends MixpanelException {

    private final Duration retryAfter;

    public MixpanelRateLimitedException(String message) {
        this(message, null, null);
    }

    public MixpanelRateLimitedException(String message, Throwable cause) {
        this(message, cause, null);
    }

    /** @param retryAfter the last 429's Retry-After, or null when none was sent */
    public MixpanelRateLimitedException(String message, Throwable cause, Duration retryAfter) {
        super(message, cause);
        this.retryAfter = retryAfter;
    }

    /** The last 429's Retry-After (as sent, not capped by any backoff), or null. */
    public Duration retryAfter() {
        return retryAfter;
    }

    @Override
    public boolean isRetryableLater() {
        return true;
    }
}
