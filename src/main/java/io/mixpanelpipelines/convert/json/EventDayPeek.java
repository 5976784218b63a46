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
 * <p>It reads only the start of the shape Mixpanel's export writes, {@code {"event":"...","properties":{"time":N,...}}}
 * with {@code N} a plain integer, and answers {@link #UNSURE} for anything else: whitespace or another key
 * first, a decimal, negative or out-of-range time. {@link #epochDay} looks no further than that first
 * {@code time}; {@link #mayHideAnotherKey} then tells whether the rest of the line may hold a second one.
 *
 * <p>The promise: for every line {@link MixpanelEventParser} (with the same zone and unit) accepts, a day
 * given here is the {@link ParsedEvent#eventEpochDay()} it finds, unless the line has a second top-level
 * {@code properties} key or a second {@code time} key in its properties (the parser takes the last one;
 * Mixpanel's export never writes either), which {@link #mayHideAnotherKey} never misses. A line given a day
 * may also be one the parser rejects, so a caller must not take the day as a verdict on the line. A caller
 * that settles a day's lines by a content hash of them (equal to a published one only if the lines are the
 * ones that were parsed and published) may take the day as it is: a line given a day the parser would not
 * give it is an extra line of that day, which then differs. A line given any other day must also pass
 * {@link #mayHideAnotherKey}. Not thread-safe (one per thread, like the parser).
 */
public final class EventDayPeek {

    /** The answer when the day cannot be read without parsing the line. */
    public static final long UNSURE = Long.MIN_VALUE;

    private static final long MAX_MICROS = 253_402_300_799_999_999L; // 9999-12-31T23:59:59.999999Z, as the parser
    private static final byte[] HEAD = ascii("{\"event\":\"");
    private static final byte[] MIDDLE = ascii(",\"properties\":{\"time\":");

    private final LocalSecondsConverter clock;
    private final long multiplier;
    /** Where the time the last {@link #epochDay} read ends: {@link #mayHideAnotherKey} scans from there. */
    private int timeEnd;

    /** @param timeInMs whether {@code time} is in milliseconds, as for {@link MixpanelEventParser} */
    public EventDayPeek(ZoneId projectZone, boolean timeInMs) {
        this.clock = new LocalSecondsConverter(Objects.requireNonNull(projectZone, "projectZone"));
        this.multiplier = timeInMs ? 1_000L : 1_000_000L;
    }

    /** The event's project-local epoch day, or {@link #UNSURE}. */
    public long epochDay(byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        timeEnd = -1;
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
        timeEnd = i;
        clock.toUtcMicros(value * multiplier);
        return clock.lastEpochDay;
    }

    /**
     * For the line {@link #epochDay} just gave a day ({@code b[off..off+len)}, the same bytes): whether the
     * rest of it, after that {@code time}, may hold a second {@code time} or {@code properties} key, with which
     * the parser would find another day. It looks for the text {@code "time"} or {@code "properties"} or an
     * escape {@code \u0040}..{@code \u007f} (through which a key can spell a letter of either): a
     * {@code time} of a nested object makes it say yes too. A pass over the line, 8 bytes a step.
     */
    public boolean mayHideAnotherKey(byte[] b, int off, int len) {
        if (timeEnd < off || timeEnd > off + len) { // no day given, or another line: the safe answer
            return true;
        }
        return suspect(b, timeEnd, off + len);
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    /** {@code "tim}, {@code "pro} and a backslash-u-0-0, as little-endian ints: where a suspect text starts. */
    private static final int QUOTE_TIM = le("\"tim");
    private static final int QUOTE_PRO = le("\"pro");
    private static final int ESCAPE_00 = le("\\u00");
    private static final byte[] TIME_REST = ascii("e\"");
    private static final byte[] PROPERTIES_REST = ascii("perties\"");

    /** A mark in the high bit of each byte of {@code x} that is zero (and maybe of a byte above one): SWAR. */
    private static long zeros(long x) {
        return (x - ONES) & ~x & HIGHS;
    }

    /**
     * Whether {@code b[from, end)} holds a text through which a second time or properties key may hide: a
     * quote followed by {@code t} or {@code p}, or a backslash followed by {@code u}, each then checked in
     * full. Eight bytes a step (a mark may be false, never missing).
     */
    private static boolean suspect(byte[] b, int from, int end) {
        int i = from;
        for (; i + 9 <= end; i += 8) {
            long w = (long) LONGS.get(b, i);
            long next = (long) LONGS.get(b, i + 1); // each byte's successor, in the same lane
            long marks = (zeros(w ^ 0x2222222222222222L) & (zeros(next ^ 0x7474747474747474L) | zeros(next ^ 0x7070707070707070L)))
                    | (zeros(w ^ 0x5C5C5C5C5C5C5C5CL) & zeros(next ^ 0x7575757575757575L));
            while (marks != 0) {
                if (suspectAt(b, i + (Long.numberOfTrailingZeros(marks) >>> 3), end)) {
                    return true;
                }
                marks &= marks - 1;
            }
        }
        for (; i < end; i++) {
            if (suspectAt(b, i, end)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code "time"}, {@code "properties"} or an escaped ASCII letter starts at {@code i}. */
    private static boolean suspectAt(byte[] b, int i, int end) {
        if (end - i < 4) {
            return false;
        }
        int w = (int) INTS.get(b, i);
        return w == QUOTE_TIM ? startsWith(b, i + 4, end, TIME_REST)
                : w == QUOTE_PRO ? startsWith(b, i + 4, end, PROPERTIES_REST)
                : w == ESCAPE_00 && i + 4 < end && b[i + 4] >= '4' && b[i + 4] <= '7';
    }

    private static int le(String four) {
        byte[] b = ascii(four);
        return (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
    }

    private static boolean startsWith(byte[] b, int at, int end, byte[] prefix) {
        return end - at >= prefix.length && java.util.Arrays.equals(b, at, at + prefix.length, prefix, 0, prefix.length);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
