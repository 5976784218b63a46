package io.mixpanelpipelines.convert.json;

/**
 * An export line that is not a usable Mixpanel event: not JSON, truncated, followed by trailing content,
 * missing {@code event}, {@code properties} or {@code properties.time}, or holding one of them with the
 * wrong type. Mixpanel's {@code terminated early} marker line is one of these.
 *
 * <p>The message is a short reason with a byte position; it never contains the line itself (a line can
 * be megabytes long and hold personal data).
 */
public class MalformedEventException extends Exception {

    private final int position;

    public MalformedEventException(String reason, int position) {
        super(reason + " (at byte " + position + " of the line)", null, false, false);
        this.position = position;
    }

    /** The byte position within the line where parsing failed, counted from the line's start. */
    public int position() {
        return position;
    }
}
