package io.mixpanelpipelines.simulator;

/**
 * Ends an export request with an error status and a Mixpanel-like JSON body. The message goes to the
 * client, so it must never contain a credential. Not shared between threads.
 */
final class ExportRejection extends Exception {

    private final int status;
    private final long retryAfterSeconds;

    ExportRejection(int status, String message) {
        this(status, message, -1);
    }

    /** @param retryAfterSeconds the Retry-After header to send, or -1 for none */
    ExportRejection(int status, String message, long retryAfterSeconds) {
        super(message, null, false, false); // control flow, not a bug: no stack trace needed
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    int status() {
        return status;
    }
}
