package io.mixpanelpipelines.state;

/**
 * The state database stayed unreachable for longer than {@code pipelines.state.retry-for}. The message
 * names the store (its URL without credentials) and what was being done; the run stops, and running the
 * same command again once the store is back resumes it without requesting what is spooled.
 */
public final class StateStoreUnavailableException extends RuntimeException {

    public StateStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
