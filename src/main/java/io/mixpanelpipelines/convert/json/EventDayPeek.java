package io.mixpanelpipelines.convert.json;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.time.ZoneId;
import java.util.Objects;

/**
 * The project-local day of an export line's event, read without parsing the line: for a line that hashing
 * alone may settle (a lookback day that is almost always unchanged), a full parse costs more than the rest
 * of its way together.
 *
 * <p>It reads only the shape Mixpanel's export writes, {@code {"event":"...","properties":{"time":N,...}}}
 * with {@code N} a plain integer, and answers {@link #UNSURE} for anything else: whitespace or another key
 * first, a decimal, negative or out-of-range time, and any line that holds, after that {@code time}, a
 * {@code "time"} or {@code "properties"} key (the text followed by its colon) or an escaped ASCII letter
 * ({@code \u0041}..{@code \u007a}, through which a key can spell either), since with a second {@code time}
 * or {@code properties} key the parser would take the last one.
 *
 * <p>The promise: for every line {@link MixpanelEventParser} (with the same zone and unit) accepts, a day
 * given here is the {@link ParsedEvent#eventEpochDay()} it finds. A line given a day may still be one the
 * parser rejects: a caller must not take the day as a verdict on the line (a content hash that equals a
 * published one can: the lines are then the ones that were parsed and published). Not thread-safe (one
 * per thread, like the parser).
 */
public final class EventDayPeek {

    /** The answer when the day cannot be read without parsing the line. */
    public static final long UNSURE = Long.MIN_VALUE;

    private static final long MAX_MICROS = 253_402_300_799_999_999L; // 9999-12-31T23:59:59.999999Z, as the parser
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final byte[] HEAD = ascii("{\"event\":\"");
    private static final byte[] MIDDLE = ascii(",\"properties\":{\"time\":");
    /** A backslash-u-0-0 as a little-endian int: where an escaped ASCII character starts. */
    private static final int ESCAPE_00 = le("\\u00");
    /** What a time or properties key ends with before its closing quote. */
    private static final byte[] QUOTED_TIME = ascii("\"time");
    private static final byte[] QUOTED_PROPERTIES = ascii("\"properties");

    private final LocalSecondsConverter clock;
    private final long multiplier;

    /** @param timeInMs whether {@code time} is in milliseconds, as for {@link MixpanelEventParser} */
    public EventDayPeek(ZoneId projectZone, boolean timeInMs) {
        this.clock = new LocalSecondsConverter(Objects.requireNonNull(projectZone, "projectZone"));
        this.multiplier = timeInMs ? 1_000L : 1_000_000L;
    }

    /** The event's project-local epoch day, or {@link #UNSURE}. */
    public long epochDay(byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        if (!startsWith(b, i, end, HEAD)) {
            return UNSURE;
        }
        i += HEAD.length;
        // the event name: up to its closing quote (an escape is two bytes: \" does not close it)
        while (true) {
            if (i >= end) {
                return UNSURE;
            }
            byte c = b[i];
            if (c == '"') {
                break;
            }
            i += c == '\\' ? 2 : 1;
        }
        i++;
        if (!startsWith(b, i, end, MIDDLE)) {
            return UNSURE;
        }
        i += MIDDLE.length;
        int digits = i;
        long value = 0;
        while (i < end && b[i] >= '0' && b[i] <= '9' && i - digits < 16) {
            value = value * 10 + (b[i] - '0');
            i++;
        }
        if (i == digits || i >= end || (b[i] != ',' && b[i] != '}') || value > MAX_MICROS / multiplier) {
            return UNSURE;
        }
        if (suspect(b, i, end)) {
            return UNSURE;
        }
        clock.toUtcMicros(value * multiplier);
        return clock.lastEpochDay;
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    /** A mark in the high bit of each byte of {@code x} that is zero (and maybe of a byte above one): SWAR. */
    private static long zeros(long x) {
        return (x - ONES) & ~x & HIGHS;
    }

    /**
     * Whether {@code b[from, end)} holds a key through which a second time or properties may hide: a colon
     * whose key (the string closing right before it, whitespace aside) ends in {@code "time"} or
     * {@code "properties"}, or a backslash-u escape of an ASCII letter (through which a key can spell
     * either). Every key is followed by its colon, so anchoring on colons misses none; a string that only
     * looks like such a key (inside a value) at worst makes the line unsure. Eight bytes a step, marking
     * colons and backslashes (a mark may be false, never missing): this runs over every byte of a line, and
     * colons are rarer than the quotes an earlier version anchored on.
     */
    private static boolean suspect(byte[] b, int from, int end) {
        int i = from;
        for (; i + 8 <= end; i += 8) {
            long w = (long) LONGS.get(b, i);
            long marks = zeros(w ^ 0x3A3A3A3A3A3A3A3AL) | zeros(w ^ 0x5C5C5C5C5C5C5C5CL);
            while (marks != 0) {
                if (suspectAt(b, from, i + (Long.numberOfTrailingZeros(marks) >>> 3), end)) {
                    return true;
                }
                marks &= marks - 1;
            }
        }
        for (; i < end; i++) {
            if (suspectAt(b, from, i, end)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the byte at {@code i} is a colon after a {@code "time"} or {@code "properties"} key that starts
     * at or after {@code from}, or a backslash starting an escaped ASCII letter.
     */
    private static boolean suspectAt(byte[] b, int from, int i, int end) {
        byte c = b[i];
        if (c == '\\') {
            return end - i >= 5 && (int) INTS.get(b, i) == ESCAPE_00 && b[i + 4] >= '4' && b[i + 4] <= '7';
        }
        if (c != ':') {
            return false;
        }
        int q = i - 1;
        while (q >= from && (b[q] == ' ' || b[q] == '\t' || b[q] == '\n' || b[q] == '\r')) {
            q--;
        }
        return q >= from && b[q] == '"' && (endsWith(b, from, q, QUOTED_TIME) || endsWith(b, from, q, QUOTED_PROPERTIES));
    }

    /** Whether {@code b[from, at)} ends with {@code suffix}. */
    private static boolean endsWith(byte[] b, int from, int at, byte[] suffix) {
        return at - from >= suffix.length && java.util.Arrays.equals(b, at - suffix.length, at, suffix, 0, suffix.length);
    }

    private static boolean startsWith(byte[] b, int at, int end, byte[] prefix) {
        return end - at >= prefix.length && java.util.Arrays.equals(b, at, at + prefix.length, prefix, 0, prefix.length);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static int le(String four) {
        byte[] b = ascii(four);
        return (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
    }
}
