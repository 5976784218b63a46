package io.mixpanelpipelines.source;

/** Mixpanel kept answering 429 (the project's export limit is spent): the work is deferred. */
public class MixpanelRateLimitedException extends MixpanelException {

    public MixpanelRateLimitedException(String message) {
        super(message, null);
    }

    public MixpanelRateLimitedException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean isRetryableLater() {
        return true;
    }
}
