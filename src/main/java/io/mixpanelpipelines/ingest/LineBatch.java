package io.mixpanelpipelines.ingest;

import io.mixpanelpipelines.convert.json.EventDayPeek;
import io.mixpanelpipelines.convert.json.MalformedEventException;
import io.mixpanelpipelines.convert.json.MixpanelEventParser;
import io.mixpanelpipelines.convert.json.ParsedEvent;
import java.util.Arrays;
import java.util.function.LongPredicate;

/**
 * A run of whole lines read from a spool: the item of the conversion step. Lines point into one byte
 * array; each knows its number in the body and the offset just past it, so a checkpoint can name the
 * exact place to resume. A batch is bounded in bytes (a few MiB, or one line of up to 16 MiB), so memory
 * does not grow with a day. Once {@linkplain #parse parsed}, each line also has its event or the reason it is
 * malformed. The last item of a spool is the {@link #isEnd() end marker}. Not thread-safe: handed from
 * thread to thread through the reader's queues.
 */
public final class LineBatch {

    /**
     * Length recorded for a line too long to keep in memory: it is not buffered, but streamed to a file of its
     * own when the reader was given a folder for them ({@link SpoolLineReader#oversizedLine}).
     */
    public static final int OVERSIZED = -1;

    private final boolean end;
    private byte[] buffer;
    private int used;
    private int count;
    private int[] starts = new int[256];
    private int[] lengths = new int[256];
    private long[] lineNumbers = new long[256];
    private long[] startOffsets = new long[256];
    private long[] endOffsets = new long[256];
    private ParsedEvent[] events = new ParsedEvent[0];
    private String[] errors = new String[0];
    private long[] hashes = new long[0];
    /** Per line: the day {@link EventDayPeek} read for a line not parsed, else {@link EventDayPeek#UNSURE}. */
    private long[] peekedDays = new long[0];

    /** The most the buffer grows to by doubling; past it, only to what a line needs. */
    private final int ceiling;

    private LineBatch(int capacity, int ceiling, boolean end) {
        this.buffer = new byte[capacity];
        this.ceiling = ceiling;
        this.end = end;
    }

    /** A batch of {@code capacity} bytes that a long line may grow, doubling up to {@code ceiling}. */
    static LineBatch withCapacity(int capacity, int ceiling) {
        return new LineBatch(capacity, ceiling, false);
    }

    static LineBatch end() {
        return new LineBatch(0, 0, true);
    }

    /** Whether this marks the end of the spool (all lines have been read). */
    public boolean isEnd() {
        return end;
    }

    public byte[] buffer() {
        return buffer;
    }

    public int size() {
        return count;
    }

    public int start(int i) {
        return starts[i];
    }

    /** The line's length in bytes, or {@link #OVERSIZED}. */
    public int length(int i) {
        return lengths[i];
    }

    /** Offset in the decoded body of the first byte of line {@code i}: where to find it in the body. */
    public long startOffset(int i) {
        return startOffsets[i];
    }

    /** Offset in the decoded body just past line {@code i} and its newline. */
    public long endOffset(int i) {
        return endOffsets[i];
    }

    /** The 1-based number of line {@code i} in the body. */
    public long lineNumber(int i) {
        return lineNumbers[i];
    }

    public int used() {
        return used;
    }

    /**
     * Parses every line (but oversized ones) into {@link #event} and hashes it ({@link #hash}), or records
     * why it is malformed in {@link #error}. The events point into this batch's buffer; their objects are
     * reused with the batch.
     */
    public void parse(MixpanelEventParser parser) {
        parse(parser, null, null);
    }

    /**
     * Like {@link #parse}, but a line whose day {@code peek} reads without parsing it is not parsed when that
     * day is one {@code settledByHash} accepts (then it is only hashed), or, for any other day, when the line
     * cannot hide a second time key ({@link EventDayPeek#mayHideAnotherKey}; then it is not hashed either, its
     * {@link #hash} 0: no content hash sums it): its {@link #epochDay} is the day read, {@link #isPeeked} is
     * true and {@link #event} says nothing about it. Nothing checked such a line: it may be malformed (see
     * {@link EventDayPeek} for what its day promises). For lines that are almost always settled by their hash
     * (the days of a re-fetch that were published already), parsing would cost more than the rest of their
     * way together; lines of other days are parsed later anyway, by their day's conversion.
     *
     * @param settledByHash the days whose lines are judged by the content hash of the day (a line read on the
     *     wrong day makes that day differ)
     */
    public void parse(MixpanelEventParser parser, EventDayPeek peek, LongPredicate settledByHash) {
        if (events.length < count) {
            int n = Math.max(count, events.length * 2);
            int old = events.length;
            events = Arrays.copyOf(events, n);
            for (int i = old; i < n; i++) {
                events[i] = new ParsedEvent();
            }
            errors = new String[n];
            hashes = new long[n];
            peekedDays = new long[n];
        }
        for (int i = 0; i < count; i++) {
            errors[i] = null;
            peekedDays[i] = EventDayPeek.UNSURE;
            if (lengths[i] == OVERSIZED) {
                continue;
            }
            if (peek != null) {
                long day = peek.epochDay(buffer, starts[i], lengths[i]);
                if (day != EventDayPeek.UNSURE) {
                    boolean settled = settledByHash.test(day);
                    if (settled || !peek.mayHideAnotherKey(buffer, starts[i], lengths[i])) {
                        peekedDays[i] = day;
                        // a line only peeked counts in no content hash but a settled day's: a day written with it
                        // carries none (its conversion parses and hashes the line)
                        hashes[i] = settled ? LineHash.hash(buffer, starts[i], lengths[i]) : 0;
                        continue;
                    }
                }
            }
            try {
                parser.parse(buffer, starts[i], lengths[i], events[i]);
                hashes[i] = LineHash.hash(buffer, starts[i], lengths[i]);
            } catch (MalformedEventException e) {
                errors[i] = e.getMessage();
            }
        }
    }

    /** Whether line {@code i} was only peeked, not parsed ({@link #parse(MixpanelEventParser, EventDayPeek, LongPredicate)}). */
    public boolean isPeeked(int i) {
        return peekedDays[i] != EventDayPeek.UNSURE;
    }

    /** The project-local epoch day of line {@code i}'s event, when {@link #error} is null: peeked or parsed. */
    public long epochDay(int i) {
        long peeked = peekedDays[i];
        return peeked != EventDayPeek.UNSURE ? peeked : events[i].eventEpochDay();
    }

    /** The event of line {@code i}, after {@link #parse}, when {@link #error} is null. */
    public ParsedEvent event(int i) {
        return events[i];
    }

    /**
     * The {@link LineHash} of line {@code i}, after {@link #parse}, when {@link #error} is null; 0 for a line
     * only peeked whose day is not settled by its hash (nothing sums it: see {@link #parse(MixpanelEventParser,
     * EventDayPeek, LongPredicate)}).
     */
    public long hash(int i) {
        return hashes[i];
    }

    /** Why line {@code i} is malformed, after {@link #parse}; null when it parsed. */
    public String error(int i) {
        return errors[i];
    }

    /** Empties the batch for reuse, keeping its buffers. */
    void clear() {
        used = 0;
        count = 0;
    }

    /** Appends bytes of the line being read, growing the buffer when needed. */
    void append(byte[] src, int off, int len) {
        if (used + len > buffer.length) {
            long doubled = Math.min(buffer.length * 2L, Math.max(ceiling, used + len));
            buffer = Arrays.copyOf(buffer, (int) Math.max(doubled, used + len));
        }
        System.arraycopy(src, off, buffer, used, len);
        used += len;
    }

    /** Drops bytes appended after {@code mark} (a line that turned out oversized or blank). */
    void truncate(int mark) {
        used = mark;
    }

    void add(int start, int length, long lineNumber, long startOffset, long endOffset) {
        if (count == starts.length) {
            int n = count * 2;
            starts = Arrays.copyOf(starts, n);
            lengths = Arrays.copyOf(lengths, n);
            lineNumbers = Arrays.copyOf(lineNumbers, n);
            startOffsets = Arrays.copyOf(startOffsets, n);
            endOffsets = Arrays.copyOf(endOffsets, n);
        }
        starts[count] = start;
        lengths[count] = length;
        lineNumbers[count] = lineNumber;
        startOffsets[count] = startOffset;
        endOffsets[count] = endOffset;
        count++;
    }
}
