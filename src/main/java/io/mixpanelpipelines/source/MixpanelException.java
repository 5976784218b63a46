package io.mixpanelpipelines.source;

/** A Mixpanel export failed. Messages never contain a credential. */
public abstract class MixpanelException extends RuntimeException {

    protected MixpanelException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether running again later, unchanged, can succeed. */
    public abstract boolean isRetryableLater();
}
