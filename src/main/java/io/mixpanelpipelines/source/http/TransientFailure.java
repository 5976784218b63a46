package io.mixpanelpipelines.source.http;

import java.time.Duration;

/** A failure of one attempt worth another try: a 5xx, a 429, a timeout, a cut or truncated body. */
final class TransientFailure extends RuntimeException {

    /** How long the server asked us to wait (429's {@code Retry-After}), or null to back off as usual. */
    final Duration retryAfter;
    final boolean rateLimited;

    TransientFailure(String message, Duration retryAfter, boolean rateLimited) {
        super(message, null, false, false);
        this.retryAfter = retryAfter;
        this.rateLimited = rateLimited;
    }
}
