package io.mixpanelpipelines.source.gzip;

import java.util.Locale;

/**
 * Which gzip decoder to use, from {@code -Dpipelines.inflater} or else the environment variable
 * {@code PIPELINES_INFLATER}: {@code auto} (the default: {@code isal} when {@code igzip} is on the PATH and
 * decodes a test body, else {@code jdk}), {@code isal} ({@code igzip}; an error when it does not work) or
 * {@code jdk}.
 */
public enum Inflater {
    AUTO, ISAL, JDK;

    static final String PROPERTY = "pipelines.inflater";
    static final String VARIABLE = "PIPELINES_INFLATER";

    /** The configured choice; an unknown value is an {@link IllegalArgumentException} naming the valid ones. */
    public static Inflater configured() {
        String value = System.getProperty(PROPERTY);
        String source = "-D" + PROPERTY;
        if (value == null || value.isBlank()) {
            value = System.getenv(VARIABLE);
            source = VARIABLE;
        }
        return parse(value, source);
    }

    static Inflater parse(String value, String source) {
        if (value == null || value.isBlank()) {
            return AUTO;
        }
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + "=" + value + " is not one of auto, isal, jdk", e);
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
