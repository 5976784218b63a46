package io.mixpanelpipelines.convert.json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the top-level members of one JSON object, such as an event's properties, with the events' own scanner:
 * a member's name is compared as decoded UTF-8 without making a string, a value is read as text only when
 * asked for, and every other value is validated and skipped (nesting bounded as for events). For the few
 * events whose properties say more than the parsed columns hold (the identity merge events); a reader for one
 * object, not thread-safe.
 *
 * <p>{@link #next} moves to the next member (skipping the value of the one before if it was not read);
 * {@link #nameIs}, then {@link #text} or {@link #texts}. Malformed JSON throws {@link MalformedEventException},
 * and so does anything but whitespace after the object (found once the last member is passed).
 */
public final class JsonObjectMembers {

    private final JsonScanner s = new JsonScanner();
    private byte[] name = new byte[64];
    private int nameLength;
    private byte[] decoded = new byte[64];
    private boolean started;
    private boolean valuePending;
    private boolean done;

    /**
     * Starts reading {@code json[offset..offset+length)}; a value that is not an object has no member.
     *
     * @throws MalformedEventException when it does not start as JSON does
     */
    public JsonObjectMembers(byte[] json, int offset, int length) throws MalformedEventException {
        s.reset(json, offset, length);
        s.skipWhitespace();
        if (s.peek() != '{') {
            done = true;
            return;
        }
        s.pos++;
        s.skipWhitespace();
        if (s.peek() == '}') {
            s.pos++;
            done = true;
            s.skipWhitespace();
            if (s.pos < s.end) {
                throw s.fail("content after the object");
            }
        }
    }

    /** Moves to the next member, past the value of the current one; false after the last. */
    public boolean next() throws MalformedEventException {
        if (done) {
            return false;
        }
        if (started) {
            if (valuePending) {
                s.skipValue(2);
            }
            if (s.endOfMember("an object")) {
                done = true;
                s.skipWhitespace();
                if (s.pos < s.end) {
                    throw s.fail("content after the object");
                }
                return false;
            }
        }
        started = true;
        if (s.peek() != '"') {
            throw s.fail("expected a key in an object");
        }
        s.scanString();
        name = fit(name, s.strEnd - s.strStart);
        nameLength = s.decodeString(name);
        s.skipWhitespace();
        if (s.peek() != ':') {
            throw s.fail("expected ':' after a key");
        }
        s.pos++;
        s.skipWhitespace();
        valuePending = true;
        return true;
    }

    /** Whether the current member's name, decoded, is {@code utf8}. */
    public boolean nameIs(byte[] utf8) {
        return Arrays.equals(name, 0, nameLength, utf8, 0, utf8.length);
    }

    /**
     * The current member's value as an id: a string decoded (a lone surrogate escape as U+FFFD); a number,
     * {@code true} or {@code false} as its JSON text as written; null for {@code null}, an object or an array.
     */
    public String text() throws MalformedEventException {
        valuePending = false;
        return valueText(2);
    }

    /**
     * The current member's value as a list of ids ({@link #text} for each element, nulls included), or null
     * when it is not an array.
     */
    public List<String> texts() throws MalformedEventException {
        valuePending = false;
        if (s.peek() != '[') {
            s.skipValue(2);
            return null;
        }
        s.pos++;
        s.skipWhitespace();
        List<String> out = new ArrayList<>();
        if (s.peek() == ']') {
            s.pos++;
            return out;
        }
        while (true) {
            out.add(valueText(3));
            s.skipWhitespace();
            int c = s.peek();
            if (c == ',') {
                s.pos++;
                s.skipWhitespace();
            } else if (c == ']') {
                s.pos++;
                return out;
            } else {
                throw s.fail("expected ',' or ']' in an array");
            }
        }
    }

    private String valueText(int depth) throws MalformedEventException {
        int c = s.peek();
        if (c == '"') {
            s.scanString();
            if (!s.strEscaped) {
                return new String(s.buf, s.strStart, s.strEnd - s.strStart, StandardCharsets.UTF_8);
            }
            decoded = fit(decoded, s.strEnd - s.strStart);
            return new String(decoded, 0, s.decodeString(decoded), StandardCharsets.UTF_8);
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            s.scanNumber();
            return new String(s.buf, s.numStart, s.pos - s.numStart, StandardCharsets.US_ASCII);
        }
        int at = s.pos;
        s.skipValue(depth);
        return c == 't' || c == 'f' ? new String(s.buf, at, s.pos - at, StandardCharsets.US_ASCII) : null;
    }

    private static byte[] fit(byte[] buffer, int length) {
        return buffer.length >= length ? buffer : new byte[Math.max(length, buffer.length * 2)];
    }
}
