package io.mixpanelpipelines.convert;

import java.math.BigDecimal;
import java.math.RoundingMode;
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

    private static final int MAX_DEPTH = 512;
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

    // The line being parsed; fields rather than parameters keep the scanner methods small.
    private byte[] buf;
    private int lineStart;
    private int pos;
    private int end;

    // Result of the last scanString: content range and whether it had escapes.
    private int strStart;
    private int strEnd;
    private boolean strEscaped;
    private byte[] keyScratch = new byte[64];

    // Result of the last scanNumber.
    private int numStart;
    private boolean numNegative;
    private int numIntStart;
    private int numIntEnd;
    private int numFracStart;
    private int numFracEnd;
    private boolean numHasExponent;

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
        buf = line;
        lineStart = offset;
        pos = offset;
        end = offset + length;
        into.reset(line);
        try {
            parseEvent(into);
        } finally {
            buf = null; // do not pin a large line buffer between calls
        }
    }

    private void parseEvent(ParsedEvent event) throws MalformedEventException {
        skipWhitespace();
        if (pos >= end) {
            throw fail("empty line");
        }
        if (buf[pos] != '{') {
            throw fail("not a JSON object");
        }
        pos++;
        boolean haveTime = false;
        skipWhitespace();
        if (peek() == '}') {
            pos++;
        } else {
            while (true) {
                scanKey("the event object");
                if (keyIs(EVENT)) {
                    if (peek() != '"') {
                        throw fail("'event' is not a string");
                    }
                    scanString();
                    setText(event.eventName);
                } else if (keyIs(PROPERTIES)) {
                    if (peek() != '{') {
                        throw fail("'properties' is not an object");
                    }
                    haveTime = parseProperties(event);
                } else {
                    skipValue(1);
                }
                if (endOfMember("the event object")) {
                    break;
                }
            }
        }
        skipWhitespace();
        if (pos < end) {
            throw fail("trailing content after the event object");
        }
        if (!event.eventName.present()) {
            throw fail("no 'event' name");
        }
        if (event.propertiesOffset < 0) {
            throw fail("no 'properties' object");
        }
        if (!haveTime) {
            throw fail("no 'properties.time'");
        }
    }

    /** Parses the properties object at {@code pos}; returns whether it had a numeric {@code time}. */
    private boolean parseProperties(ParsedEvent event) throws MalformedEventException {
        // A repeated "properties" key: the last one wins, so forget what an earlier one set.
        event.distinctId.clear();
        event.insertId.clear();
        event.deviceId.clear();
        event.userId.clear();
        event.hasMpProcessingTime = false;
        boolean haveTime = false;
        int start = pos;
        pos++;
        skipWhitespace();
        if (peek() == '}') {
            pos++;
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
                    default -> skipValue(2);
                }
                if (endOfMember("'properties'")) {
                    break;
                }
            }
        }
        event.propertiesOffset = start;
        event.propertiesLength = pos - start;
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
        int rawLength = strEnd - strStart;
        if (!strEscaped) {
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

    /** Reads {@code "key" :} and leaves {@code pos} at the value. */
    private void scanKey(String where) throws MalformedEventException {
        if (peek() != '"') {
            throw fail("expected a key in " + where);
        }
        scanString();
        keyDecodedLength = -1;
        skipWhitespace();
        if (peek() != ':') {
            throw fail("expected ':' after a key in " + where);
        }
        pos++;
        skipWhitespace();
    }

    /** After a member's value: consumes {@code ,} (returns false) or {@code }} (returns true). */
    private boolean endOfMember(String where) throws MalformedEventException {
        skipWhitespace();
        int c = peek();
        if (c == ',') {
            pos++;
            skipWhitespace();
            return false;
        }
        if (c == '}') {
            pos++;
            return true;
        }
        throw fail("expected ',' or '}' in " + where);
    }

    private int keyDecodedLength = -1;

    /** Whether the last scanned string (a key) equals the ASCII literal, escapes decoded. */
    private boolean keyIs(byte[] literal) {
        if (!strEscaped) {
            return strEnd - strStart == literal.length
                    && java.util.Arrays.equals(buf, strStart, strEnd, literal, 0, literal.length);
        }
        if (keyDecodedLength < 0) {
            if (keyScratch.length < strEnd - strStart) {
                keyScratch = new byte[strEnd - strStart];
            }
            keyDecodedLength = decodeString(keyScratch);
        }
        return java.util.Arrays.equals(keyScratch, 0, keyDecodedLength, literal, 0, literal.length);
    }

    private void parseTime(ParsedEvent event) throws MalformedEventException {
        int c = peek();
        if (c != '-' && (c < '0' || c > '9')) {
            throw fail("'properties.time' is not a number");
        }
        int at = pos;
        scanNumber();
        long localMicros = numberTimes10(timeInMs ? 3 : 6, at, "'properties.time'");
        if (localMicros < MIN_MICROS || localMicros > MAX_MICROS) {
            throw failAt("'properties.time' is out of range (year 1 to 9999)", at);
        }
        event.timeMicros = clock.toUtcMicros(localMicros);
        event.eventEpochDay = clock.lastEpochDay;
    }

    /** {@code mp_processing_time_ms} is informational: anything but a number (null included) gives null. */
    private void parseProcessingTime(ParsedEvent event) throws MalformedEventException {
        int c = peek();
        if (c != '-' && (c < '0' || c > '9')) {
            event.hasMpProcessingTime = false;
            skipValue(2);
            return;
        }
        int at = pos;
        scanNumber();
        event.mpProcessingTimeMicros = numberTimes10(3, at, "'properties.mp_processing_time_ms'");
        event.hasMpProcessingTime = true;
    }

    /** A string gives its decoded text; null gives null; any other value gives its exact JSON text. */
    private void parseIdentifier(Utf8Text field) throws MalformedEventException {
        int c = peek();
        if (c == '"') {
            scanString();
            setText(field);
        } else if (c == 'n') {
            skipValue(2);
            field.clear();
        } else {
            int start = pos;
            skipValue(2);
            field.set(buf, start, pos - start);
        }
    }

    /** Stores the last scanned string in {@code field}: a slice of the line, or decoded when escaped. */
    private void setText(Utf8Text field) {
        if (!strEscaped) {
            field.set(buf, strStart, strEnd - strStart);
        } else {
            byte[] out = field.scratch(strEnd - strStart);
            int n = decodeString(out);
            field.set(out, 0, n);
        }
    }

    /**
     * The last scanned number multiplied by 10^scale, rounded towards negative infinity: seconds to
     * microseconds is scale 6, milliseconds to microseconds scale 3.
     */
    private long numberTimes10(int scale, int at, String what) throws MalformedEventException {
        int intDigits = numIntEnd - numIntStart;
        if (!numHasExponent && intDigits <= 18 - scale) {
            long value = 0;
            for (int i = numIntStart; i < numIntEnd; i++) {
                value = value * 10 + (buf[i] - '0');
            }
            boolean droppedNonZero = false;
            for (int k = 0; k < scale; k++) {
                int i = numFracStart + k;
                value = value * 10 + (i < numFracEnd ? buf[i] - '0' : 0);
            }
            for (int i = numFracStart + scale; i < numFracEnd; i++) {
                if (buf[i] != '0') {
                    droppedNonZero = true;
                    break;
                }
            }
            return numNegative ? -value - (droppedNonZero ? 1 : 0) : value;
        }
        try {
            BigDecimal exact = new BigDecimal(new String(buf, numStart, pos - numStart, StandardCharsets.US_ASCII));
            return exact.movePointRight(scale).setScale(0, RoundingMode.FLOOR).longValueExact();
        } catch (ArithmeticException | NumberFormatException e) {
            throw failAt(what + " is out of range", at);
        }
    }

    // ---- the validating scanner -------------------------------------------------------------------

    private int peek() {
        return pos < end ? buf[pos] : -1;
    }

    private void skipWhitespace() {
        while (pos < end) {
            byte b = buf[pos];
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return;
            }
            pos++;
        }
    }

    /** Validates one JSON value at {@code pos} and moves past it. */
    private void skipValue(int depth) throws MalformedEventException {
        if (depth > MAX_DEPTH) {
            throw fail("nesting deeper than " + MAX_DEPTH + " levels");
        }
        int c = peek();
        switch (c) {
            case '"' -> scanString();
            case '{' -> skipObject(depth);
            case '[' -> skipArray(depth);
            case 't' -> skipLiteral("true");
            case 'f' -> skipLiteral("false");
            case 'n' -> skipLiteral("null");
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    scanNumber();
                } else {
                    throw fail(c < 0 ? "expected a value" : "unexpected character where a value should be");
                }
            }
        }
    }

    private void skipObject(int depth) throws MalformedEventException {
        pos++;
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return;
        }
        while (true) {
            if (peek() != '"') {
                throw fail("expected a key in an object");
            }
            scanString();
            skipWhitespace();
            if (peek() != ':') {
                throw fail("expected ':' after a key");
            }
            pos++;
            skipWhitespace();
            skipValue(depth + 1);
            if (endOfMember("an object")) {
                return;
            }
        }
    }

    private void skipArray(int depth) throws MalformedEventException {
        pos++;
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return;
        }
        while (true) {
            skipValue(depth + 1);
            skipWhitespace();
            int c = peek();
            if (c == ']') {
                pos++;
                return;
            }
            if (c != ',') {
                throw fail("expected ',' or ']' in an array");
            }
            pos++;
            skipWhitespace();
        }
    }

    private void skipLiteral(String literal) throws MalformedEventException {
        int n = literal.length();
        if (end - pos < n) {
            pos = end;
            throw fail("expected '" + literal + "'");
        }
        for (int i = 0; i < n; i++) {
            if (buf[pos + i] != literal.charAt(i)) {
                throw fail("expected '" + literal + "'");
            }
        }
        pos += n;
    }

    /** Validates a number (JSON grammar) and records its parts. */
    private void scanNumber() throws MalformedEventException {
        numStart = pos;
        numNegative = false;
        numHasExponent = false;
        if (buf[pos] == '-') {
            numNegative = true;
            pos++;
        }
        numIntStart = pos;
        if (peek() == '0') {
            pos++;
        } else if (isDigit(peek())) {
            while (isDigit(peek())) {
                pos++;
            }
        } else {
            throw fail("invalid number");
        }
        numIntEnd = pos;
        numFracStart = pos;
        numFracEnd = pos;
        if (peek() == '.') {
            pos++;
            numFracStart = pos;
            if (!isDigit(peek())) {
                throw fail("invalid number");
            }
            while (isDigit(peek())) {
                pos++;
            }
            numFracEnd = pos;
        }
        int c = peek();
        if (c == 'e' || c == 'E') {
            numHasExponent = true;
            pos++;
            c = peek();
            if (c == '+' || c == '-') {
                pos++;
            }
            if (!isDigit(peek())) {
                throw fail("invalid number");
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    /**
     * Validates a string starting at the quote at {@code pos}: escapes, no raw control characters, and
     * well-formed UTF-8. Records the content range in {@code strStart}/{@code strEnd}.
     */
    private void scanString() throws MalformedEventException {
        int p = pos + 1;
        strStart = p;
        strEscaped = false;
        byte[] b = buf;
        int e = end;
        while (p < e) {
            int c = b[p];
            if (c == '"') {
                strEnd = p;
                pos = p + 1;
                return;
            }
            if (c >= 0x20 && c != '\\') { // plain ASCII, the common case
                p++;
                continue;
            }
            if (c == '\\') {
                strEscaped = true;
                p = checkEscape(p);
            } else if (c < 0) {
                p = checkUtf8(p);
            } else {
                pos = p;
                throw fail("control character in a string");
            }
        }
        pos = e;
        throw fail("unterminated string");
    }

    private int checkEscape(int p) throws MalformedEventException {
        if (p + 1 >= end) {
            pos = end;
            throw fail("unterminated string");
        }
        switch (buf[p + 1]) {
            case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
                return p + 2;
            }
            case 'u' -> {
                if (p + 6 > end) {
                    pos = end;
                    throw fail("unterminated string");
                }
                for (int i = p + 2; i < p + 6; i++) {
                    if (hexValue(buf[i]) < 0) {
                        pos = i;
                        throw fail("invalid \\u escape");
                    }
                }
                return p + 6;
            }
            default -> {
                pos = p;
                throw fail("invalid escape in a string");
            }
        }
    }

    /** Checks one multi-byte UTF-8 sequence starting at {@code p}; returns the position after it. */
    private int checkUtf8(int p) throws MalformedEventException {
        int lead = buf[p] & 0xFF;
        int count;
        int min = 0x80;
        int max = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            count = 1;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            count = 2;
            if (lead == 0xE0) {
                min = 0xA0; // overlong
            } else if (lead == 0xED) {
                max = 0x9F; // UTF-16 surrogates
            }
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            count = 3;
            if (lead == 0xF0) {
                min = 0x90; // overlong
            } else if (lead == 0xF4) {
                max = 0x8F; // beyond U+10FFFF
            }
        } else {
            pos = p;
            throw fail("invalid UTF-8");
        }
        if (p + count >= end) {
            pos = end;
            throw fail("unterminated string");
        }
        int second = buf[p + 1] & 0xFF;
        if (second < min || second > max) {
            pos = p;
            throw fail("invalid UTF-8");
        }
        for (int i = p + 2; i <= p + count; i++) {
            int cont = buf[i] & 0xFF;
            if (cont < 0x80 || cont > 0xBF) {
                pos = p;
                throw fail("invalid UTF-8");
            }
        }
        return p + count + 1;
    }

    /**
     * Decodes the last scanned (already validated) string into UTF-8 bytes. The output is never longer
     * than the escaped input, so {@code out} needs {@code strEnd - strStart} bytes. A lone surrogate escape
     * becomes U+FFFD, as Java's own UTF-8 encoder would make it.
     */
    private int decodeString(byte[] out) {
        int n = 0;
        int p = strStart;
        while (p < strEnd) {
            byte c = buf[p];
            if (c != '\\') {
                out[n++] = c;
                p++;
                continue;
            }
            byte kind = buf[p + 1];
            p += 2;
            switch (kind) {
                case 'b' -> out[n++] = '\b';
                case 'f' -> out[n++] = '\f';
                case 'n' -> out[n++] = '\n';
                case 'r' -> out[n++] = '\r';
                case 't' -> out[n++] = '\t';
                case 'u' -> {
                    int cp = hex4(p);
                    p += 4;
                    if (Character.isHighSurrogate((char) cp) && p + 6 <= strEnd && buf[p] == '\\'
                            && buf[p + 1] == 'u' && Character.isLowSurrogate((char) hex4(p + 2))) {
                        cp = Character.toCodePoint((char) cp, (char) hex4(p + 2));
                        p += 6;
                    } else if (Character.isSurrogate((char) cp)) {
                        cp = 0xFFFD;
                    }
                    n = putUtf8(out, n, cp);
                }
                default -> out[n++] = kind; // '"', '\\' and '/' stand for themselves
            }
        }
        return n;
    }

    private int hex4(int p) {
        return hexValue(buf[p]) << 12 | hexValue(buf[p + 1]) << 8 | hexValue(buf[p + 2]) << 4 | hexValue(buf[p + 3]);
    }

    private static int hexValue(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static int putUtf8(byte[] out, int n, int cp) {
        if (cp < 0x80) {
            out[n++] = (byte) cp;
        } else if (cp < 0x800) {
            out[n++] = (byte) (0xC0 | cp >> 6);
            out[n++] = (byte) (0x80 | cp & 0x3F);
        } else if (cp < 0x10000) {
            out[n++] = (byte) (0xE0 | cp >> 12);
            out[n++] = (byte) (0x80 | cp >> 6 & 0x3F);
            out[n++] = (byte) (0x80 | cp & 0x3F);
        } else {
            out[n++] = (byte) (0xF0 | cp >> 18);
            out[n++] = (byte) (0x80 | cp >> 12 & 0x3F);
            out[n++] = (byte) (0x80 | cp >> 6 & 0x3F);
            out[n++] = (byte) (0x80 | cp & 0x3F);
        }
        return n;
    }

    private MalformedEventException fail(String reason) {
        return failAt(reason, pos);
    }

    private MalformedEventException failAt(String reason, int at) {
        String why = pos >= end && at >= end ? "truncated line: " + reason : reason;
        return new MalformedEventException(why, at - lineStart);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
