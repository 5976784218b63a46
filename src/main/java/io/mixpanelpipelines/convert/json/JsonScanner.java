package io.mixpanelpipelines.convert.json;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A strict JSON scanner over a byte range (RFC 8259, UTF-8 validated), for {@link MixpanelEventParser}. It
 * validates and skips values without building them, and reports where strings and numbers are so that the
 * caller decodes only what it needs. State lives in fields (the position, the last string's and number's
 * ranges) so the hot methods take no parameters and allocate nothing. Not thread-safe.
 */
final class JsonScanner {

    /**
     * Deeper nesting is rejected rather than risking a stack overflow on hostile input. 500 because it is
     * the strictest limit of the warehouses an event may be loaded into (BigQuery's JSON type nests at most
     * 500 levels; Redshift's SUPER 1,000): an event nested deeper is a rejected line, kept and counted,
     * rather than a day that a warehouse refuses whole. Objects and arrays count: {@code properties} is
     * level 1, an object or array that is its value level 2.
     */
    static final int MAX_DEPTH = 500;

    byte[] buf;
    int lineStart;
    int pos;
    int end;

    // The last scanned string: content range, and whether it had escapes.
    int strStart;
    int strEnd;
    boolean strEscaped;

    // The last scanned number: sign, integer digits, fraction digits (empty when none), exponent.
    int numStart;
    boolean numNegative;
    int numIntStart;
    int numIntEnd;
    int numFracStart;
    int numFracEnd;
    boolean numHasExponent;

    /**
     * Where the line's broken surrogate escapes start (the backslash of each {@code \\uD800}-{@code \\uDFFF}
     * escape that is not half of a high-low pair), in line order; {@code brokenCount} of them. Found only on
     * the escape slow path, so lines without {@code \\u} escapes pay nothing.
     */
    int[] brokenAt = new int[4];
    int brokenCount;

    void reset(byte[] line, int offset, int length) {
        buf = line;
        lineStart = offset;
        pos = offset;
        end = offset + length;
        brokenCount = 0;
    }

    /** Drops the reference to the line so a large buffer is not pinned between calls. */
    void release() {
        buf = null;
    }

    /** After a member's value: consumes {@code ,} (returns false) or {@code }} (returns true). */
    boolean endOfMember(String where) throws MalformedEventException {
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

    /**
     * The last scanned number multiplied by 10^scale, rounded towards negative infinity: seconds to
     * microseconds is scale 6, milliseconds to microseconds scale 3.
     *
     * @throws ArithmeticException when the result does not fit a long
     */
    long scaledNumber(int scale) {
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
        // Exponents and long numbers: exact arithmetic, guarded so that hostile input ("1e-999999999", a
        // megabyte of digits) can neither hang nor escape as another exception type.
        if (pos - numStart > 1000) {
            throw new ArithmeticException("number too long");
        }
        BigDecimal exact;
        try {
            exact = new BigDecimal(new String(buf, numStart, pos - numStart, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) { // an exponent beyond int range
            throw new ArithmeticException("exponent out of range");
        }
        // before moving the point: a large positive exponent ("1e999999999") would make it compute that power of ten
        if (exact.signum() != 0 && (long) exact.precision() - exact.scale() + scale > 19) {
            throw new ArithmeticException("number out of range");
        }
        exact = exact.movePointRight(scale);
        int integerDigits = exact.precision() - exact.scale();
        if (integerDigits > 19) {
            throw new ArithmeticException("number out of range");
        }
        if (integerDigits <= 0) { // |exact| < 1
            return exact.signum() < 0 ? -1 : 0;
        }
        return exact.setScale(0, RoundingMode.FLOOR).longValueExact();
    }

    int peek() {
        return pos < end ? buf[pos] : -1;
    }

    void skipWhitespace() {
        while (pos < end) {
            byte b = buf[pos];
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return;
            }
            pos++;
        }
    }

    /** Validates one JSON value at {@code pos}, an object or array there being at level {@code depth}, and moves past it. */
    void skipValue(int depth) throws MalformedEventException {
        int c = peek();
        if ((c == '{' || c == '[') && depth > MAX_DEPTH) {
            throw fail("nesting deeper than " + MAX_DEPTH + " levels");
        }
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
    void scanNumber() throws MalformedEventException {
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
    void scanString() throws MalformedEventException {
        int p = pos + 1;
        strStart = p;
        strEscaped = false;
        byte[] b = buf;
        int e = end;
        while (true) {
            // Jump to the next byte that is not plain string content, 8 bytes per step.
            int c;
            if (p <= e - 8) {
                long special = special8(b, p);
                if (special == 0) {
                    p += 8;
                    continue;
                }
                p += Long.numberOfTrailingZeros(special) >>> 3;
                c = b[p];
            } else {
                while (p < e && (c = b[p]) >= 0x20 && c != '"' && c != '\\') {
                    p++;
                }
                if (p >= e) {
                    break;
                }
                c = b[p];
            }
            if (c == '"') {
                strEnd = p;
                pos = p + 1;
                return;
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

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    /**
     * Marks (in the byte's high bit) the bytes at {@code p..p+8) that are not plain string content: the
     * quote, the backslash, control characters and non-ASCII bytes (SWAR). Marks above the lowest one may
     * be false (a borrow), but the lowest one is always exact: it is the first byte that needs a look.
     */
    private static long special8(byte[] b, int p) {
        long x = (long) LONGS.get(b, p);
        long quote = x ^ 0x2222222222222222L;
        long backslash = x ^ 0x5C5C5C5C5C5C5C5CL;
        return (((quote - ONES) & ~quote) | ((backslash - ONES) & ~backslash)
                | (x - 0x2020202020202020L) | x) & HIGHS;
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
                return checkSurrogate(p);
            }
            default -> {
                pos = p;
                throw fail("invalid escape in a string");
            }
        }
    }

    /**
     * After a valid {@code \\uXXXX} at {@code p}: a high surrogate followed by a low one is a pair (both are
     * consumed); any other surrogate is legal JSON text (RFC 8259 allows it) but not Unicode, and strict
     * readers (DuckDB, Spark, BigQuery) refuse it, so it is recorded in {@link #brokenAt}.
     */
    private int checkSurrogate(int p) {
        int unit = hex4(p + 2);
        if (unit < 0xD800 || unit > 0xDFFF) {
            return p + 6;
        }
        if (unit <= 0xDBFF && p + 12 <= end && buf[p + 6] == '\\' && buf[p + 7] == 'u') {
            int next = hex4(p + 8); // negative when not four hex digits: the next escape's check rejects it
            if (next >= 0xDC00 && next <= 0xDFFF) {
                return p + 12;
            }
        }
        if (brokenCount == brokenAt.length) {
            brokenAt = java.util.Arrays.copyOf(brokenAt, brokenCount * 2);
        }
        brokenAt[brokenCount++] = p;
        return p + 6;
    }

    /**
     * Checks the multi-byte UTF-8 sequences that start at {@code p} and follow each other (a word of
     * Cyrillic, say), with the two-byte case inline; returns the position of the next ASCII byte (or the end).
     */
    private int checkUtf8(int p) throws MalformedEventException {
        byte[] b = buf;
        int e = end;
        do {
            int lead = b[p] & 0xFF;
            if (lead >= 0xC2 && lead <= 0xDF && p + 1 < e && (b[p + 1] & 0xC0) == 0x80) {
                p += 2;
            } else {
                p = checkUtf8Sequence(p);
            }
        } while (p < e && b[p] < 0);
        return p;
    }

    /** Checks one multi-byte UTF-8 sequence starting at {@code p}; returns the position after it. */
    private int checkUtf8Sequence(int p) throws MalformedEventException {
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
    int decodeString(byte[] out) {
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

    MalformedEventException fail(String reason) {
        return failAt(reason, pos);
    }

    MalformedEventException failAt(String reason, int at) {
        String why = pos >= end && at >= end ? "truncated line: " + reason : reason;
        return new MalformedEventException(why, at - lineStart);
    }
}
