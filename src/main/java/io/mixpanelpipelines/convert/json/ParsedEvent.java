package io.mixpanelpipelines.convert.json;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;

/**
 * One Mixpanel event as extracted by {@link MixpanelEventParser}: a mutable holder that the parser fills
 * again for every line, so that the hot path creates no per-event garbage.
 *
 * <p>Text values point into the line buffer the event was parsed from (or into buffers owned by this
 * object): they are valid until the next parse into this object and only while the caller leaves that
 * buffer unchanged. Call the {@code String} accessors before reusing the buffer if you need to keep them.
 * Not thread-safe.
 */
public final class ParsedEvent {

    final Utf8Text eventName = new Utf8Text();
    final Utf8Text distinctId = new Utf8Text();
    final Utf8Text insertId = new Utf8Text();
    final Utf8Text deviceId = new Utf8Text();
    final Utf8Text userId = new Utf8Text();

    byte[] line;
    /** {@link #line}, or {@link #repairScratch} when the properties were repaired. */
    byte[] propertiesBuffer;
    private byte[] repairScratch = new byte[0];
    boolean repaired;
    int propertiesOffset = -1;
    int propertiesLength;
    long timeMicros;
    long eventEpochDay;
    boolean hasMpProcessingTime;
    long mpProcessingTimeMicros;

    void reset(byte[] newLine) {
        line = newLine;
        propertiesBuffer = newLine;
        repaired = false;
        eventName.clear();
        distinctId.clear();
        insertId.clear();
        deviceId.clear();
        userId.clear();
        propertiesOffset = -1;
        propertiesLength = 0;
        timeMicros = 0;
        eventEpochDay = 0;
        hasMpProcessingTime = false;
        mpProcessingTimeMicros = 0;
    }

    /** The event name (never null for a parsed event). */
    public String eventName() {
        return eventName.value();
    }

    /** {@code properties.distinct_id}: decoded string, the JSON text of a non-string value, or null. */
    public String distinctId() {
        return distinctId.value();
    }

    /** {@code properties.$insert_id}, or null. */
    public String insertId() {
        return insertId.value();
    }

    /** {@code properties.$device_id}, or null. */
    public String deviceId() {
        return deviceId.value();
    }

    /** {@code properties.$user_id}, or null. */
    public String userId() {
        return userId.value();
    }

    /**
     * Marks the line as holding broken surrogate escapes (at the line positions {@code brokenAt[0..count)})
     * and points the properties at a copy of them with each broken escape inside them replaced by
     * {@code \\ufffd}: the same six bytes' length, so every other byte and offset stays as it was.
     */
    void repair(int[] brokenAt, int count) {
        repaired = true;
        if (propertiesOffset < 0) {
            return;
        }
        if (repairScratch.length < propertiesLength) {
            repairScratch = new byte[Math.max(propertiesLength, repairScratch.length * 2)];
        }
        System.arraycopy(line, propertiesOffset, repairScratch, 0, propertiesLength);
        for (int i = 0; i < count; i++) {
            int at = brokenAt[i] - propertiesOffset;
            if (at >= 0 && at < propertiesLength) {
                System.arraycopy(REPLACEMENT, 0, repairScratch, at, REPLACEMENT.length);
            }
        }
        propertiesBuffer = repairScratch;
        propertiesOffset = 0;
    }

    private static final byte[] REPLACEMENT = "\\ufffd".getBytes(StandardCharsets.US_ASCII);

    /**
     * Whether the line held surrogate escapes that are not part of a high-low pair (a lone {@code \\uD800},
     * a string cut inside an emoji): legal JSON text, but no strict JSON reader accepts it. Such an event is
     * kept, with each broken escape in {@code properties} replaced by {@code \\ufffd} (U+FFFD, the
     * replacement character) and U+FFFD in the decoded columns; the caller keeps the original line aside.
     */
    public boolean repaired() {
        return repaired;
    }

    /**
     * The buffer that holds the {@code properties} object: the line buffer, or (for a
     * {@linkplain #repaired() repaired} event) a buffer of this event's own, reused by the next parse.
     */
    public byte[] propertiesBuffer() {
        return propertiesBuffer;
    }

    /** Where the {@code properties} object starts in {@link #propertiesBuffer()} (its opening brace). */
    public int propertiesOffset() {
        return propertiesOffset;
    }

    /** The length in bytes of the {@code properties} object, braces included. */
    public int propertiesLength() {
        return propertiesLength;
    }

    /**
     * The exact {@code properties} JSON text as it appeared in the line (broken surrogate escapes
     * {@linkplain #repaired() repaired}). Allocates: for tests and tools.
     */
    public String propertiesJson() {
        return new String(propertiesBuffer, propertiesOffset, propertiesLength, StandardCharsets.UTF_8);
    }

    /** When the event happened: true UTC epoch microseconds. */
    public long timeMicros() {
        return timeMicros;
    }

    /** {@link #timeMicros()} as an {@link Instant}. */
    public Instant time() {
        return Instant.ofEpochSecond(Math.floorDiv(timeMicros, 1_000_000L),
                Math.floorMod(timeMicros, 1_000_000L) * 1_000L);
    }

    /** The day of the event on the project's wall clock, as a count of days since 1970-01-01. */
    public long eventEpochDay() {
        return eventEpochDay;
    }

    /** The day of the event on the project's wall clock: the day partition it belongs to. */
    public LocalDate eventDate() {
        return LocalDate.ofEpochDay(eventEpochDay);
    }

    /** Whether {@code properties.mp_processing_time_ms} was a number. */
    public boolean hasMpProcessingTime() {
        return hasMpProcessingTime;
    }

    /** When Mixpanel ingested the event, UTC epoch microseconds, or null when the line did not say. */
    public Long mpProcessingTimeMicros() {
        return hasMpProcessingTime ? mpProcessingTimeMicros : null;
    }
    /** The event name as UTF-8 bytes (no allocation): for writers. */
    public Utf8Text eventNameText() {
        return eventName;
    }

    /** {@code properties.distinct_id} as UTF-8 bytes (no allocation). */
    public Utf8Text distinctIdText() {
        return distinctId;
    }

    /** {@code properties.$insert_id} as UTF-8 bytes (no allocation). */
    public Utf8Text insertIdText() {
        return insertId;
    }

    /** {@code properties.$device_id} as UTF-8 bytes (no allocation). */
    public Utf8Text deviceIdText() {
        return deviceId;
    }

    /** {@code properties.$user_id} as UTF-8 bytes (no allocation). */
    public Utf8Text userIdText() {
        return userId;
    }

    /** {@code mp_processing_time_ms} in microseconds; meaningful only when {@link #hasMpProcessingTime()}. */
    public long mpProcessingTimeMicrosRaw() {
        return mpProcessingTimeMicros;
    }
}
