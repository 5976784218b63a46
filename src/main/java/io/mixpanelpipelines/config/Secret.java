package io.mixpanelpipelines.config;

import java.util.Objects;

/**
 * A credential value. Its {@link #toString()} never shows the value, so a secret that ends up in a log
 * line, an exception message or a debugger view is masked; only {@link #reveal()} gives it out.
 */
public final class Secret {

    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value);
    }

    public static Secret of(String value) {
        return new Secret(value);
    }

    /** The value itself: call this only where it is sent to Mixpanel. */
    public String reveal() {
        return value;
    }

    public boolean isEmpty() {
        return value.isEmpty();
    }

    @Override
    public String toString() {
        return "****";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && s.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }
}
