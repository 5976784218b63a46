package io.mixpanelpipelines.source;

/** Mixpanel refused the request itself (a 400 other than authentication), e.g. a to_date later than its today. */
public class MixpanelRequestException extends MixpanelException {

    public MixpanelRequestException(String message) {
        super(message, null);
    }

    public MixpanelRequestException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean isRetryableLater() {
        return false;
    }
}
