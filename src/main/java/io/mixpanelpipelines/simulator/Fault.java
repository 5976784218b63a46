package io.mixpanelpipelines.simulator;

import java.time.Duration;
import java.util.Locale;

/**
 * A failure the simulator injects into one export request. Faults are queued with
 * {@link FaultQueue#enqueue(Fault)} and consumed one per request, in order. Immutable; thread-safe.
 *
 * @param kind   what goes wrong
 * @param status the HTTP status for {@link Kind#STATUS} and {@link Kind#TOO_MANY_REQUESTS}, else 200
 * @param delay  the wait before the first byte for {@link Kind#SLOW_FIRST_BYTE}, or the Retry-After for
 *               {@link Kind#TOO_MANY_REQUESTS}; zero otherwise
 */
public record Fault(Kind kind, int status, Duration delay) {

    /** The kinds of injected failure. */
    public enum Kind {
        /** The connection drops after about half of the body. */
        CUT_MID_STREAM,
        /** Status 200, about half of the body, then a last line {@code terminated early}. */
        TERMINATED_EARLY,
        /** The given status with a JSON error body. */
        STATUS,
        /** 429 with a {@code Retry-After} header. */
        TOO_MANY_REQUESTS,
        /** The normal response, after a delay before the first byte. */
        SLOW_FIRST_BYTE
    }

    public Fault {
        if (kind == null || delay == null || delay.isNegative()) {
            throw new IllegalArgumentException("a fault needs a kind and a non-negative delay");
        }
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("not an HTTP status: " + status);
        }
    }

    public static Fault cutMidStream() {
        return new Fault(Kind.CUT_MID_STREAM, 200, Duration.ZERO);
    }

    public static Fault terminatedEarly() {
        return new Fault(Kind.TERMINATED_EARLY, 200, Duration.ZERO);
    }

    public static Fault status(int status) {
        return new Fault(Kind.STATUS, status, Duration.ZERO);
    }

    public static Fault tooManyRequests(int retryAfterSeconds) {
        if (retryAfterSeconds < 0) {
            throw new IllegalArgumentException("Retry-After must not be negative: " + retryAfterSeconds);
        }
        return new Fault(Kind.TOO_MANY_REQUESTS, 429, Duration.ofSeconds(retryAfterSeconds));
    }

    public static Fault slowFirstByte(Duration delay) {
        return new Fault(Kind.SLOW_FIRST_BYTE, 200, delay);
    }

    /**
     * Parses the text form used by {@code POST /_simulator/faults}: {@code cut}, {@code terminated-early},
     * {@code status:503}, {@code 429:2} (Retry-After seconds) or {@code slow:3000} (milliseconds).
     *
     * @throws IllegalArgumentException when the text is none of these
     */
    public static Fault parse(String text) {
        String spec = text.strip().toLowerCase(Locale.ROOT);
        int colon = spec.indexOf(':');
        String name = colon < 0 ? spec : spec.substring(0, colon);
        String argument = colon < 0 ? null : spec.substring(colon + 1).strip();
        try {
            return switch (name) {
                case "cut" -> cutMidStream();
                case "terminated-early" -> terminatedEarly();
                case "status" -> status(Integer.parseInt(required(argument, spec)));
                case "429" -> tooManyRequests(argument == null ? 1 : Integer.parseInt(argument));
                case "slow" -> slowFirstByte(Duration.ofMillis(Long.parseLong(required(argument, spec))));
                default -> throw new IllegalArgumentException("unknown fault: " + spec);
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad number in fault: " + spec, e);
        }
    }

    private static String required(String argument, String spec) {
        if (argument == null || argument.isEmpty()) {
            throw new IllegalArgumentException("fault needs an argument: " + spec);
        }
        return argument;
    }
}
