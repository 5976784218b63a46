package io.mixpanelpipelines.convert.json;

import java.time.ZoneId;
import java.util.Objects;

/**
 * The project-local day of an export line's event, read without parsing the line: for a line that hashing
 * alone may settle (a lookback day that is almost always unchanged), a full parse costs more than the rest
 * of its way together.
 *
 * <p>It reads only the start of the shape Mixpanel's export writes, {@code {"event":"...","properties":{"time":N,...}}}
 * with {@code N} a plain integer, and answers {@link #UNSURE} for anything else: whitespace or another key
 * first, a decimal, negative or out-of-range time. It looks no further than that first {@code time}.
 *
 * <p>The promise: for every line {@link MixpanelEventParser} (with the same zone and unit) accepts, a day
 * given here is the {@link ParsedEvent#eventEpochDay()} it finds, unless the line has a second top-level
 * {@code properties} key or a second {@code time} key in its properties (the parser takes the last one;
 * Mixpanel's export never writes either). A line given a day may also be one the parser rejects. So a caller
 * must not take the day as a verdict on the line; it settles such lines by a content hash of the day's lines
 * (equal to a published one only if the lines are the ones that were parsed and published): a line given a
 * day the parser would not give it is an extra line of that day, which then differs. Not thread-safe (one
 * per thread, like the parser).
 */
public final class EventDayPeek {

    /** The answer when the day cannot be read without parsing the line. */
    public static final long UNSURE = Long.MIN_VALUE;

    private static final long MAX_MICROS = 253_402_300_799_999_999L; // 9999-12-31T23:59:59.999999Z, as the parser
    private static final byte[] HEAD = ascii("{\"event\":\"");
    private static final byte[] MIDDLE = ascii(",\"properties\":{\"time\":");

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
        clock.toUtcMicros(value * multiplier);
        return clock.lastEpochDay;
    }

    private static boolean startsWith(byte[] b, int at, int end, byte[] prefix) {
        return end - at >= prefix.length && java.util.Arrays.equals(b, at, at + prefix.length, prefix, 0, prefix.length);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
