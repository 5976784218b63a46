package io.mixpanelpipelines.convert.json;

import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.Objects;

/**
 * Parses one line of Mixpanel's raw export ({@code {"event":"...","properties":{...}}}) into a reusable
 * {@link ParsedEvent}.
 *
 * <p>A hand-written scanner rather than a JSON library: it validates the whole line as strict JSON
 * (RFC 8259, UTF-8 included) but only decodes the handful of values the Parquet columns need, and it
 * records the exact byte range of the {@code properties} object so that object is stored losslessly
 * (big integers, key order, duplicate-looking keys, escapes) without ever being re-serialized. Only the
 * top-level keys of {@code properties} are looked at; a {@code time} nested in a property is ignored.
 * The one exception to byte-exact {@code properties}: surrogate escapes that are not a high-low pair (legal
 * JSON text that strict readers refuse) are replaced by {@code \\ufffd}, see {@link ParsedEvent#repaired()}.
 * Top-level keys other than {@code event} and {@code properties} are validated and ignored. When a key
 * appears twice, the last occurrence wins.
 *
 * <p>{@code time} is seconds (or milliseconds when the export used {@code time_in_ms}), decimals allowed
 * down to the microsecond (further digits are dropped, rounding towards the past). For a non-UTC project it
 * is converted from project-local wall-clock time to UTC, see {@link LocalSecondsConverter} for the DST
 * rules. Times before year 1 or after year 9999 are rejected.
 *
 * <p>Not thread-safe: use one parser per thread.
 */
public final class MixpanelEventParser {

    private static final long MIN_MICROS = -62_135_596_800_000_000L; // 0001-01-01T00:00:00Z
    private static final long MAX_MICROS = 253_402_300_799_999_999L; // 9999-12-31T23:59:59.999999Z

    private static final byte[] EVENT = ascii("event");
    private static final byte[] PROPERTIES = ascii("properties");
    private static final byte[] TIME = ascii("time");
    private static final byte[] DISTINCT_ID = ascii("distinct_id");
    private static final byte[] INSERT_ID = ascii("$insert_id");
    private static final byte[] DEVICE_ID = ascii("$device_id");
    private static final byte[] USER_ID = ascii("$user_id");
    private static final byte[] MP_PROCESSING_TIME_MS = ascii("mp_processing_time_ms");

    private final boolean timeInMs;
    private final LocalSecondsConverter clock;

    private final JsonScanner in = new JsonScanner();
    private byte[] keyScratch = new byte[64];
    private int keyDecodedLength = -1;

    /**
     * @param projectZone the project's timezone; {@code UTC} for projects whose export is in UTC
     * @param timeInMs whether {@code time} is in milliseconds (the export's {@code time_in_ms=true})
     */
    public MixpanelEventParser(ZoneId projectZone, boolean timeInMs) {
        this.clock = new LocalSecondsConverter(Objects.requireNonNull(projectZone, "projectZone"));
        this.timeInMs = timeInMs;
    }

    /** Parses a line into a new event. Convenient for tests; the hot path reuses one event instead. */
    public ParsedEvent parse(byte[] line, int offset, int length) throws MalformedEventException {
        ParsedEvent event = new ParsedEvent();
        parse(line, offset, length, event);
        return event;
    }

    /**
     * Parses {@code line[offset, offset + length)} into {@code into}, overwriting what it held. Leading and
     * trailing whitespace (a trailing {@code \r} included) is allowed.
     *
     * @throws MalformedEventException when the line is not a complete, valid event; {@code into} then holds
     *     unspecified values
     */
    public void parse(byte[] line, int offset, int length, ParsedEvent into) throws MalformedEventException {
        Objects.checkFromIndexSize(offset, length, line.length);
        in.reset(line, offset, length);
        into.reset(line);
        try {
            parseEvent(into);
            if (in.brokenCount > 0) {
                into.repair(in.brokenAt, in.brokenCount);
            }
        } finally {
            in.release();
        }
    }

    private void parseEvent(ParsedEvent event) throws MalformedEventException {
        in.skipWhitespace();
        if (in.pos >= in.end) {
            throw in.fail("empty line");
        }
        if (in.buf[in.pos] != '{') {
            throw in.fail("not a JSON object");
        }
        in.pos++;
        boolean haveTime = false;
        in.skipWhitespace();
        if (in.peek() == '}') {
            in.pos++;
        } else {
            while (true) {
                scanKey("the event object");
                if (keyIs(EVENT)) {
                    if (in.peek() != '"') {
                        throw in.fail("'event' is not a string");
                    }
                    in.scanString();
                    setText(event.eventName);
                } else if (keyIs(PROPERTIES)) {
                    if (in.peek() != '{') {
                        throw in.fail("'properties' is not an object");
                    }
                    haveTime = parseProperties(event);
                } else {
                    in.skipValue(1);
                }
                if (in.endOfMember("the event object")) {
                    break;
                }
            }
        }
        in.skipWhitespace();
        if (in.pos < in.end) {
            throw in.fail("trailing content after the event object");
        }
        if (!event.eventName.present()) {
            throw in.fail("no 'event' name");
        }
        if (event.propertiesOffset < 0) {
            throw in.fail("no 'properties' object");
        }
        if (!haveTime) {
            throw in.fail("no 'properties.time'");
        }
    }

    /** Parses the properties object at the scanner position; returns whether it had a numeric {@code time}. */
    private boolean parseProperties(ParsedEvent event) throws MalformedEventException {
        // A repeated "properties" key: the last one wins, so forget what an earlier one set.
        event.distinctId.clear();
        event.insertId.clear();
        event.deviceId.clear();
        event.userId.clear();
        event.hasMpProcessingTime = false;
        boolean haveTime = false;
        int start = in.pos;
        in.pos++;
        in.skipWhitespace();
        if (in.peek() == '}') {
            in.pos++;
        } else {
            while (true) {
                scanKey("'properties'");
                switch (classifyPropertyKey()) {
                    case K_TIME -> {
                        parseTime(event);
                        haveTime = true;
                    }
                    case K_MP_PROCESSING_TIME -> parseProcessingTime(event);
                    case K_DISTINCT_ID -> parseIdentifier(event.distinctId);
                    case K_INSERT_ID -> parseIdentifier(event.insertId);
                    case K_DEVICE_ID -> parseIdentifier(event.deviceId);
                    case K_USER_ID -> parseIdentifier(event.userId);
                    default -> in.skipValue(2);
                }
                if (in.endOfMember("'properties'")) {
                    break;
                }
            }
        }
        event.propertiesOffset = start;
        event.propertiesLength = in.pos - start;
        return haveTime;
    }

    private static final int K_OTHER = 0;
    private static final int K_TIME = 1;
    private static final int K_MP_PROCESSING_TIME = 2;
    private static final int K_DISTINCT_ID = 3;
    private static final int K_INSERT_ID = 4;
    private static final int K_DEVICE_ID = 5;
    private static final int K_USER_ID = 6;

    private int classifyPropertyKey() {
        // Dispatch on the raw length first: almost every key is unescaped and none of ours.
        int rawLength = in.strEnd - in.strStart;
        if (!in.strEscaped) {
            switch (rawLength) {
                case 4: return keyIs(TIME) ? K_TIME : K_OTHER;
                case 8: return keyIs(USER_ID) ? K_USER_ID : K_OTHER;
                case 10: return keyIs(INSERT_ID) ? K_INSERT_ID : keyIs(DEVICE_ID) ? K_DEVICE_ID : K_OTHER;
                case 11: return keyIs(DISTINCT_ID) ? K_DISTINCT_ID : K_OTHER;
                case 21: return keyIs(MP_PROCESSING_TIME_MS) ? K_MP_PROCESSING_TIME : K_OTHER;
                default: return K_OTHER;
            }
        }
        if (keyIs(TIME)) {
            return K_TIME;
        } else if (keyIs(USER_ID)) {
            return K_USER_ID;
        } else if (keyIs(INSERT_ID)) {
            return K_INSERT_ID;
        } else if (keyIs(DEVICE_ID)) {
            return K_DEVICE_ID;
        } else if (keyIs(DISTINCT_ID)) {
            return K_DISTINCT_ID;
        } else if (keyIs(MP_PROCESSING_TIME_MS)) {
            return K_MP_PROCESSING_TIME;
        }
        return K_OTHER;
    }

    /** Reads {@code "key" :} and leaves the scanner at the value. */
    private void scanKey(String where) throws MalformedEventException {
        if (in.peek() != '"') {
            throw in.fail("expected a key in " + where);
        }
        in.scanString();
        keyDecodedLength = -1;
        in.skipWhitespace();
        if (in.peek() != ':') {
            throw in.fail("expected ':' after a key in " + where);
        }
        in.pos++;
        in.skipWhitespace();
    }

    /** Whether the last scanned string (a key) equals the ASCII literal, escapes decoded. */
    private boolean keyIs(byte[] literal) {
        if (!in.strEscaped) {
            return in.strEnd - in.strStart == literal.length
                    && java.util.Arrays.equals(in.buf, in.strStart, in.strEnd, literal, 0, literal.length);
        }
        if (keyDecodedLength < 0) {
            if (keyScratch.length < in.strEnd - in.strStart) {
                keyScratch = new byte[in.strEnd - in.strStart];
            }
            keyDecodedLength = in.decodeString(keyScratch);
        }
        return java.util.Arrays.equals(keyScratch, 0, keyDecodedLength, literal, 0, literal.length);
    }

    private void parseTime(ParsedEvent event) throws MalformedEventException {
        int c = in.peek();
        if (c != '-' && (c < '0' || c > '9')) {
            throw in.fail("'properties.time' is not a number");
        }
        int at = in.pos;
        in.scanNumber();
        long localMicros = scaled(timeInMs ? 3 : 6, at, "'properties.time'");
        if (localMicros < MIN_MICROS || localMicros > MAX_MICROS) {
            throw in.failAt("'properties.time' is out of range (year 1 to 9999)", at);
        }
        event.timeMicros = clock.toUtcMicros(localMicros);
        event.eventEpochDay = clock.lastEpochDay;
    }

    /** {@code mp_processing_time_ms} is informational: anything but a number (null included) gives null. */
    private void parseProcessingTime(ParsedEvent event) throws MalformedEventException {
        int c = in.peek();
        if (c != '-' && (c < '0' || c > '9')) {
            event.hasMpProcessingTime = false;
            in.skipValue(2);
            return;
        }
        int at = in.pos;
        in.scanNumber();
        event.mpProcessingTimeMicros = scaled(3, at, "'properties.mp_processing_time_ms'");
        event.hasMpProcessingTime = true;
    }

    /** A string gives its decoded text; null gives null; any other value gives its exact JSON text. */
    private void parseIdentifier(Utf8Text field) throws MalformedEventException {
        int c = in.peek();
        if (c == '"') {
            in.scanString();
            setText(field);
        } else if (c == 'n') {
            in.skipValue(2);
            field.clear();
        } else {
            int start = in.pos;
            in.skipValue(2);
            field.set(in.buf, start, in.pos - start);
        }
    }

    /** Stores the last scanned string in {@code field}: a slice of the line, or decoded when escaped. */
    private void setText(Utf8Text field) {
        if (!in.strEscaped) {
            field.set(in.buf, in.strStart, in.strEnd - in.strStart);
        } else {
            byte[] out = field.scratch(in.strEnd - in.strStart);
            int n = in.decodeString(out);
            field.set(out, 0, n);
        }
    }

    private long scaled(int scale, int at, String what) throws MalformedEventException {
        try {
            return in.scaledNumber(scale);
        } catch (ArithmeticException e) {
            throw in.failAt(what + " is out of range", at);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
