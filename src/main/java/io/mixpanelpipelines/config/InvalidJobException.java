package io.mixpanelpipelines.config;

/** A job file, a command-line argument or a credential source is unusable: no retry can fix it. */
public class InvalidJobException extends RuntimeException {

    public InvalidJobException(String message) {
        super(message);
    }
}
