package io.mixpanelpipelines.source.http;

import io.mixpanelpipelines.source.MixpanelAuthenticationException;
import io.mixpanelpipelines.source.MixpanelRateLimitedException;
import io.mixpanelpipelines.source.MixpanelUnavailableException;
import io.mixpanelpipelines.source.Sleeper;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;

/**
 * The one retry loop of the HTTP clients (export and engage): an attempt that fails with a
 * {@link TransientFailure} is tried again after {@link Backoff}'s wait, up to {@code maxAttempts}; then it
 * fails as {@link MixpanelRateLimitedException} (the last failure was a 429) or
 * {@link MixpanelUnavailableException}. After {@value #MAX_RATE_LIMIT_REJECTIONS} 429s through the same loop
 * (one run: one client), Mixpanel's limit is spent by someone else (or is lower than the configured budget):
 * the call fails as {@link MixpanelRateLimitedException} at once, and so does every later call, without a
 * request, so that the rest is deferred instead of waiting out an hourly limit. The exception carries the last
 * 429's {@code Retry-After}, for the next run's time. Once Mixpanel refused the credentials, every later call
 * through the same loop fails at once without a request: the other requests of the run would be refused the
 * same way.
 * Other exceptions of an attempt go to the caller untouched. Thread-safe (one loop serves a client's threads).
 */
final class RetryLoop {

    /** One request, tried as often as the loop decides. */
    interface Call<T> {
        /** Sends attempt number {@code attempt} (from 1); throws {@link TransientFailure} to be retried. */
        T attempt(int attempt);

        /** Before each attempt, once the credentials are known not to be refused: may throw to send nothing. */
        default void beforeAttempt() {
        }

        /** After a failed attempt, before the attempts are counted: may throw to stop retrying. */
        default void failed(TransientFailure failure) {
        }
    }

    /** After this many 429s in one run, Mixpanel's limit is spent by someone else: the rest is deferred. */
    static final int MAX_RATE_LIMIT_REJECTIONS = 3;

    private final ClientSettings settings;
    private final Sleeper sleeper;
    private final AtomicInteger rejections = new AtomicInteger();
    /** The last 429's Retry-After, or null: when the deferred rest may be asked for again. */
    private final AtomicReference<Duration> lastRetryAfter = new AtomicReference<>();
    private final Logger log;
    private final AtomicReference<MixpanelAuthenticationException> refused = new AtomicReference<>();

    /** @param log the client's logger, which names each retry */
    RetryLoop(ClientSettings settings, Sleeper sleeper, Logger log) {
        this.settings = settings;
        this.sleeper = sleeper;
        this.log = log;
    }

    /**
     * Runs {@code call} until it succeeds or may not be retried.
     *
     * @param target what is requested, as messages name it (a window, a profile query's label)
     * @param retried how a retry is logged, before " attempt n/m failed" ({@code "export 2026-01-01"})
     * @param failed how giving up is said, before " failed after n attempts" ({@code "export of 2026-01-01"})
     */
    <T> T run(String target, String retried, String failed, Call<T> call) {
        for (int attempt = 1; ; attempt++) {
            MixpanelAuthenticationException earlier = refused.get();
            if (earlier != null) {
                throw new MixpanelAuthenticationException(earlier.getMessage() + " (not requesting " + target + ")");
            }
            if (rejections.get() >= MAX_RATE_LIMIT_REJECTIONS) {
                throw new MixpanelRateLimitedException("Mixpanel answered 429 to " + rejections.get()
                        + " requests of this run: not requesting " + target + " now", null, lastRetryAfter.get());
            }
            call.beforeAttempt();
            TransientFailure failure;
            try {
                return call.attempt(attempt);
            } catch (TransientFailure t) {
                failure = t;
            } catch (MixpanelAuthenticationException e) {
                refused.compareAndSet(null, e);
                throw e;
            }
            call.failed(failure);
            if (failure.rateLimited) {
                if (failure.retryAfter != null) {
                    lastRetryAfter.set(failure.retryAfter);
                }
                if (rejections.incrementAndGet() >= MAX_RATE_LIMIT_REJECTIONS) {
                    throw new MixpanelRateLimitedException("Mixpanel answered 429 to " + MAX_RATE_LIMIT_REJECTIONS
                            + " requests of this run (someone else is spending the project's limit); deferring "
                            + target + "; last: " + failure.getMessage(), failure, failure.retryAfter);
                }
            }
            if (attempt >= settings.maxAttempts()) {
                String message = failed + " failed after " + attempt + " attempts; last: " + failure.getMessage();
                throw failure.rateLimited ? new MixpanelRateLimitedException(message, failure, failure.retryAfter)
                        : new MixpanelUnavailableException(message, failure);
            }
            Duration wait = Backoff.wait(settings, attempt, failure.retryAfter);
            log.warn("{} attempt {}/{} failed: {}; retrying in {} ms", retried, attempt, settings.maxAttempts(),
                    failure.getMessage(), wait.toMillis());
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MixpanelUnavailableException("interrupted while waiting to retry " + target, e);
            }
        }
    }
}
