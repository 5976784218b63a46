package io.mixpanelpipelines.convert.json;

import java.nio.charset.StandardCharsets;

/**
 * A nullable text value held as UTF-8 bytes: either a slice of the input line (the common case, no copy)
 * or, when the JSON string had escapes, its decoded bytes in a buffer this object owns and reuses. The
 * {@link String} is only built when someone asks for it, so the parse-and-write path allocates nothing.
 */
public final class Utf8Text {

    private byte[] bytes;
    private int offset;
    private int length;
    private boolean present;
    private String string;
    private byte[] scratch; // only for escaped text: most values are slices of the line

    void clear() {
        bytes = null;
        present = false;
        string = null;
    }

    void set(byte[] array, int off, int len) {
        bytes = array;
        offset = off;
        length = len;
        present = true;
        string = null;
    }

    /** A buffer of at least {@code capacity} bytes to decode into; pass it back through {@link #set}. */
    byte[] scratch(int capacity) {
        if (scratch == null || scratch.length < capacity) {
            scratch = new byte[Math.max(capacity, scratch == null ? 64 : scratch.length * 2)];
        }
        return scratch;
    }

    public boolean present() {
        return present;
    }

    public byte[] bytes() {
        return bytes;
    }

    public int offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    public String value() {
        if (!present) {
            return null;
        }
        if (string == null) {
            string = new String(bytes, offset, length, StandardCharsets.UTF_8);
        }
        return string;
    }
}
