package io.mixpanelpipelines.benchmark;

import java.time.LocalDate;
import java.util.SplittableRandom;

/**
 * A generator of one day shape's export lines ({@code {"event":...,"properties":{...}}}), each line a pure
 * function of (shape, day, index): the same day is byte for byte the same in every request and run, so a
 * re-fetched lookback day is truly unchanged. Event times fall on their own day (UTC seconds, as the
 * benchmark job asks with {@code timeInMs: false}). Subclasses write the properties after {@code time};
 * the helpers here write JSON with raw UTF-8 (unicode is not escaped, as Mixpanel serves it).
 * Not thread-safe: one instance per writing thread.
 */
abstract class SyntheticEvents {

    protected StringBuilder sb;
    protected SplittableRandom r;

    /** The name of the shape, as given in {@code -Dbenchmark.shapes}. */
    abstract String name();

    /** A salt that keeps two shapes' days apart. */
    abstract long salt();

    /** Raised with every change to what the shape writes, so that kept bodies of an older one are not reused. */
    abstract int version();

    /** Writes the event name and the properties after {@code time} (the first property, already written). */
    protected abstract String eventName();

    protected abstract void properties(long timeSeconds, long index);

    /** Appends the line of event {@code index} of {@code day}, with its trailing newline. */
    final void appendLine(StringBuilder out, LocalDate day, long index) {
        sb = out;
        r = new SplittableRandom(salt() * 0x9E3779B97F4A7C15L ^ day.toEpochDay() * 1_000_003L ^ index * 0xBF58476D1CE4E5B9L);
        long time = day.toEpochDay() * 86_400 + r.nextInt(86_400);
        sb.append("{\"event\":");
        string(eventName());
        sb.append(",\"properties\":{\"time\":").append(time);
        properties(time, index);
        sb.append("}}\n");
    }

    // ---- JSON helpers

    protected final SyntheticEvents key(String name) {
        sb.append(',');
        string(name);
        sb.append(':');
        return this;
    }

    protected final SyntheticEvents string(String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
        return this;
    }

    protected final void str(String name, String value) {
        key(name).string(value);
    }

    protected final void num(String name, long value) {
        key(name);
        sb.append(value);
    }

    protected final void dec(String name, int hundredths) {
        key(name);
        sb.append(hundredths / 100).append('.').append(hundredths % 100 / 10).append(hundredths % 10);
    }

    protected final void bool(String name, boolean value) {
        key(name);
        sb.append(value);
    }

    /** A list of distinct strings drawn from {@code from} (at most its length). */
    protected final void stringList(String name, String[] from, int n) {
        key(name);
        sb.append('[');
        int start = r.nextInt(from.length);
        for (int i = 0; i < Math.min(n, from.length); i++) {
            if (i > 0) {
                sb.append(',');
            }
            string(from[(start + i) % from.length]);
        }
        sb.append(']');
    }

    // ---- value helpers

    protected final boolean chance(int percent) {
        return r.nextInt(100) < percent;
    }

    protected final <T> T pick(T[] values) {
        return values[r.nextInt(values.length)];
    }

    /** Picks from {@code values} with the percentage weights in {@code weights} (they add up to 100). */
    protected final <T> T weighted(T[] values, int[] weights) {
        int x = r.nextInt(100);
        for (int i = 0; i < values.length - 1; i++) {
            x -= weights[i];
            if (x < 0) {
                return values[i];
            }
        }
        return values[values.length - 1];
    }

    protected final String uuid() {
        return hex(8) + "-" + hex(4) + "-4" + hex(3) + "-a" + hex(3) + "-" + hex(12);
    }

    protected final String hex(int n) {
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            c[i] = "0123456789abcdef".charAt(r.nextInt(16));
        }
        return new String(c);
    }

    protected final String token(int n) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            c[i] = alphabet.charAt(r.nextInt(alphabet.length()));
        }
        return new String(c);
    }
}
