package io.mixpanelpipelines.source;

/** Mixpanel refused the credentials or their access to the project (400 authentication, 401, 402, 403). */
public class MixpanelAuthenticationException extends MixpanelException {

    public MixpanelAuthenticationException(String message) {
        super(message, null);
    }

    public MixpanelAuthenticationException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean isRetryableLater() {
        return false;
    }
}
