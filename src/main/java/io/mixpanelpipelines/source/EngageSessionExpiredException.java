package io.mixpanelpipelines.source;

/**
 * Mixpanel no longer knows the {@code session_id} of a query in progress: its later pages can only be read
 * by starting the query again from page 0. Not retried by the client; the caller restarts the query.
 */
public class EngageSessionExpiredException extends MixpanelException {

    public EngageSessionExpiredException(String message) {
        super(message, null);
    }

    @Override
    public boolean isRetryableLater() {
        return true;
    }
}
