package io.mixpanelpipelines.source;

/** Transient failures (connection errors, timeouts, 5xx, cut or truncated bodies) outlasted every attempt. */
public class MixpanelUnavailableException extends MixpanelException {

    public MixpanelUnavailableException(String message) {
        super(message, null);
    }

    public MixpanelUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean isRetryableLater() {
        return true;
    }
}
