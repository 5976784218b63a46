package io.mixpanelpipelines.source.gzip;

import java.util.Locale;

/**
 * Which gzip decoder to use, from {@code -Dpipelines.inflater} or else the environment variable
 * {@code PIPELINES_INFLATER}: {@code jdk} (the default), {@code auto} ({@code isal} when {@code igzip} is on
 * the PATH and decodes a test body, else {@code jdk}) or {@code isal} ({@code igzip}; an error when it does not
 * work). {@code igzip} is opt-in for now: with it, a ten-second state-database outage at a point of a day the
 * JDK path does not reach in that test fails the day instead of being ridden out
 * ({@code StateStoreOutageIntegrationTests}), which is not understood yet.
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
            return JDK;
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
