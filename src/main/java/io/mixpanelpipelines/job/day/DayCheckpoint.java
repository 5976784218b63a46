package io.mixpanelpipelines.job.day;

import io.mixpanelpipelines.dataset.PartInfo;
import java.util.ArrayList;
import java.util.List;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * Where a day's conversion stands as of its last closed part: every key the day step keeps in its
 * ExecutionContext, and nothing else does. A restarted step resumes {@link #resumeOffset} bytes (line
 * {@link #resumeLine}) into the body, keeps the staged {@link #parts} and cuts the rejected-line files back
 * to their lengths here. A checkpoint is applied only to the very spool body it was made on
 * ({@link #restore}): a body fetched again since, or one being downloaded ({@link #STREAMED}), starts from
 * the beginning.
 *
 * <p>Immutable (so thread-safe); {@link #partClosed} and {@link #asPublished} return the next checkpoint.
 *
 * @param runId the run whose part names the day's files carry: kept across restarts of the step
 * @param spoolId the {@linkplain io.mixpanelpipelines.source.Spool#bodyId body} converted, or {@link #STREAMED}
 * @param parts the closed parts, in order
 * @param resumeOffset decoded bytes of the body before the first line not yet in a closed part
 * @param resumeLine that line's number (1 at the start)
 * @param rejectedLines lines rejected before {@code resumeOffset}
 * @param rejectedLinesBytes length of the rejected-lines file at this checkpoint
 * @param rejectedReasonsBytes length of the rejection-reasons file at this checkpoint
 * @param firstRejection the first rejection ({@code line N: reason}), or null
 * @param hashSum sum of the line hashes of the events in {@code parts}
 * @param published whether the day was published (or found unchanged): a restart then does nothing
 * @param repairedLines events before {@code resumeOffset} published with broken surrogate escapes replaced
 * @param repairedLinesBytes length of the file of their original lines at this checkpoint
 */
public record DayCheckpoint(String runId, String spoolId, List<PartInfo> parts, long resumeOffset, long resumeLine,
        long rejectedLines, long rejectedLinesBytes, long rejectedReasonsBytes, String firstRejection, long hashSum,
        boolean published, long repairedLines, long repairedLinesBytes) {

    static final String RUN_ID = "day.runId";
    static final String SPOOL_ID = "day.spoolId";
    static final String RESUME_OFFSET = "day.resumeOffset";
    static final String RESUME_LINE = "day.resumeLine";
    static final String PARTS = "day.parts";
    static final String REJECTED = "day.rejected";
    static final String REJECTED_LINES_BYTES = "day.rejectedLinesBytes";
    static final String REJECTED_REASONS_BYTES = "day.rejectedReasonsBytes";
    static final String FIRST_REJECTION = "day.firstRejection";
    static final String REPAIRED = "day.repaired";
    static final String REPAIRED_LINES_BYTES = "day.repairedLinesBytes";
    static final String PUBLISHED = "day.published";
    static final String HASH = "day.hashSum";
    /** The spool id of a conversion made while downloading: never resumed (the body may be fetched again). */
    public static final String STREAMED = "streamed";

    public DayCheckpoint {
        parts = List.copyOf(parts);
    }

    /** A checkpoint without repaired events. */
    public DayCheckpoint(String runId, String spoolId, List<PartInfo> parts, long resumeOffset, long resumeLine,
            long rejectedLines, long rejectedLinesBytes, long rejectedReasonsBytes, String firstRejection, long hashSum,
            boolean published) {
        this(runId, spoolId, parts, resumeOffset, resumeLine, rejectedLines, rejectedLinesBytes, rejectedReasonsBytes,
                firstRejection, hashSum, published, 0, 0);
    }

    /** Nothing converted yet from body {@code spoolId}. */
    public static DayCheckpoint start(String runId, String spoolId) {
        return new DayCheckpoint(runId, spoolId, List.of(), 0, 1, 0, 0, 0, null, 0, false);
    }

    /** Whether an earlier execution of the step published the day (its step then failed to complete). */
    public static boolean isPublished(ExecutionContext ec) {
        return Boolean.TRUE.equals(ec.get(PUBLISHED, Boolean.class, false));
    }

    /**
     * The run id the day's files are named after: the one saved by an earlier execution of the step, else
     * {@code current}. Saved at once, so that a step failing before its first commit keeps it too.
     */
    public static String runId(ExecutionContext ec, String current) {
        String runId = ec.containsKey(RUN_ID) ? ec.getString(RUN_ID) : current;
        ec.putString(RUN_ID, runId);
        return runId;
    }

    /** The spool id of the saved checkpoint, or null when there is none. */
    public static String savedSpoolId(ExecutionContext ec) {
        return ec.containsKey(SPOOL_ID) ? ec.getString(SPOOL_ID) : null;
    }

    /**
     * The saved checkpoint if it was made on body {@code spoolId}, else the {@linkplain #start start} of that
     * body; {@link #STREAMED} is never restored.
     */
    public static DayCheckpoint restore(ExecutionContext ec, String runId, String spoolId) {
        if (STREAMED.equals(spoolId) || !spoolId.equals(savedSpoolId(ec))) {
            return start(runId, spoolId);
        }
        return new DayCheckpoint(runId, spoolId, PartInfo.decode(ec.getString(PARTS, "")), ec.getLong(RESUME_OFFSET, 0L),
                ec.getLong(RESUME_LINE, 1L), ec.getLong(REJECTED, 0L), ec.getLong(REJECTED_LINES_BYTES, 0L),
                ec.getLong(REJECTED_REASONS_BYTES, 0L), ec.containsKey(FIRST_REJECTION) ? ec.getString(FIRST_REJECTION) : null,
                ec.getLong(HASH, 0L), isPublished(ec), ec.getLong(REPAIRED, 0L), ec.getLong(REPAIRED_LINES_BYTES, 0L));
    }

    /** Writes every key (a key with nothing to say is removed, so no value of another checkpoint survives). */
    public void save(ExecutionContext ec) {
        ec.putString(RUN_ID, runId);
        ec.putString(SPOOL_ID, spoolId);
        ec.putString(PARTS, PartInfo.encode(parts));
        ec.putLong(RESUME_OFFSET, resumeOffset);
        ec.putLong(RESUME_LINE, resumeLine);
        ec.putLong(REJECTED, rejectedLines);
        ec.putLong(REJECTED_LINES_BYTES, rejectedLinesBytes);
        ec.putLong(REJECTED_REASONS_BYTES, rejectedReasonsBytes);
        if (firstRejection != null) {
            ec.putString(FIRST_REJECTION, firstRejection);
        } else {
            ec.remove(FIRST_REJECTION);
        }
        ec.putLong(HASH, hashSum);
        ec.put(PUBLISHED, published);
        if (repairedLines > 0) {
            ec.putLong(REPAIRED, repairedLines);
            ec.putLong(REPAIRED_LINES_BYTES, repairedLinesBytes);
        } else { // as before repaired lines existed: a context saved by an older version round-trips exactly
            ec.remove(REPAIRED);
            ec.remove(REPAIRED_LINES_BYTES);
        }
    }

    /** The start of the same body: what a download attempt that was given up leaves (nothing of it counts). */
    public DayCheckpoint discard() {
        return start(runId, spoolId);
    }

    /**
     * The checkpoint after a part closed (or none, {@code part} null) just before {@code offset}, with the
     * rejections and hashes of the lines since this checkpoint added.
     */
    public DayCheckpoint partClosed(PartInfo part, long offset, long nextLine, long newRejections,
            String newFirstRejection, long newHashes, long linesBytes, long reasonsBytes) {
        List<PartInfo> closed = parts;
        if (part != null) {
            closed = new ArrayList<>(parts);
            closed.add(part);
        }
        return new DayCheckpoint(runId, spoolId, closed, offset, nextLine, rejectedLines + newRejections, linesBytes,
                reasonsBytes, firstRejection != null ? firstRejection : newFirstRejection, hashSum + newHashes, published,
                repairedLines, repairedLinesBytes);
    }

    /** This checkpoint with the repaired events (their count and file length) as of it. */
    public DayCheckpoint withRepaired(long lines, long linesBytes) {
        return new DayCheckpoint(runId, spoolId, parts, resumeOffset, resumeLine, rejectedLines, rejectedLinesBytes,
                rejectedReasonsBytes, firstRejection, hashSum, published, lines, linesBytes);
    }

    /** This checkpoint with the day published: a restarted step finds nothing left to do. */
    public DayCheckpoint asPublished() {
        return new DayCheckpoint(runId, spoolId, parts, resumeOffset, resumeLine, rejectedLines, rejectedLinesBytes,
                rejectedReasonsBytes, firstRejection, hashSum, true, repairedLines, repairedLinesBytes);
    }

    /** Rows in the closed parts. */
    public long rows() {
        return parts.stream().mapToLong(PartInfo::rows).sum();
    }

    /** Bytes of the closed parts. */
    public long bytes() {
        return parts.stream().mapToLong(PartInfo::bytes).sum();
    }
}
