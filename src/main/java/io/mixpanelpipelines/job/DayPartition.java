package io.mixpanelpipelines.job;

import io.mixpanelpipelines.dataset.DatasetLayout;
import io.mixpanelpipelines.dataset.DayManifest;
import io.mixpanelpipelines.dataset.PartInfo;
import io.mixpanelpipelines.ingest.LineBatch;
import io.mixpanelpipelines.ingest.LineHash;
import io.mixpanelpipelines.ingest.RejectedLines;
import io.mixpanelpipelines.ingest.SpoolLineReader;
import io.mixpanelpipelines.ingest.StreamedFetch;
import io.mixpanelpipelines.convert.parquet.EventParquetWriter;
import io.mixpanelpipelines.convert.parquet.WriterBufferPool;
import io.mixpanelpipelines.convert.json.MixpanelEventParser;
import io.mixpanelpipelines.convert.json.ParsedEvent;
import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.source.ExportRequest;
import io.mixpanelpipelines.source.Spool;
import io.mixpanelpipelines.source.SpoolManifest;
import io.mixpanelpipelines.state.PartitionRecord;
import io.mixpanelpipelines.state.PartitionState;
import io.mixpanelpipelines.storage.FileEntry;
import io.mixpanelpipelines.storage.Location;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStream;
import org.springframework.batch.infrastructure.item.ItemStreamException;

/**
 * Exports one day: the worker of a day partition. The conversion step reads the day's body in
 * {@link LineBatch}es and writes Parquet parts that roll at {@code export.partSize}. When the end of the
 * body arrives, the last part is closed and the day is {@linkplain DayPublisher published}, inside that
 * chunk's transaction.
 *
 * <p>The body comes from the day's complete spool when there is one (step 1 fetched it as part of a
 * multi-day window, or an earlier run did). Otherwise the day is its own request and is
 * {@linkplain StreamedFetch downloaded while it is converted}: the download decodes the body once for both
 * its checks and this conversion, and writes the spool as usual. If the download gives an attempt up (a cut
 * stream, {@code terminated early}), what was converted from it is discarded and the next attempt is
 * converted from its start; nothing is published before the spool is committed.
 *
 * <p><b>Restartable.</b> Each closed part is a checkpoint: the parts so far, the offset and line number
 * just past the last event they hold, the rejected-line counts and file lengths. {@link #update} saves the
 * latest checkpoint in the step's ExecutionContext at every chunk commit; a restarted step resumes right
 * after the last closed part, deletes staged parts the checkpoint does not name and truncates the rejected
 * files back. A checkpoint is applied only to the very spool body it was made on.
 *
 * <p>Not thread-safe: one instance per step execution (step scope).
 */
public class DayPartition implements ItemStream {

    private static final Logger log = LoggerFactory.getLogger(DayPartition.class);
    private static final int SIZE_CHECK_EVERY = 256;

    static final String RUN_ID = "day.runId";
    static final String SPOOL_ID = "day.spoolId";
    static final String RESUME_OFFSET = "day.resumeOffset";
    static final String RESUME_LINE = "day.resumeLine";
    static final String PARTS = "day.parts";
    static final String REJECTED = "day.rejected";
    static final String REJECTED_LINES_BYTES = "day.rejectedLinesBytes";
    static final String REJECTED_REASONS_BYTES = "day.rejectedReasonsBytes";
    static final String FIRST_REJECTION = "day.firstRejection";
    static final String PUBLISHED = "day.published";
    static final String HASH = "day.hashSum";
    /** The SPOOL_ID of a conversion made while downloading: never resumed (the body may be fetched again). */
    private static final String STREAMED = "streamed";

    private final ExportContext ctx;
    private final LocalDate day;
    private final long epochDay;
    private final JobDefinition job;
    private boolean opened;
    private boolean finished;
    private String runId;
    private Spool spool;
    private SpoolManifest spoolManifest;
    private SpoolLineReader lines;
    private StreamedFetch streamed;
    private MixpanelEventParser parser;
    private RejectedLines rejected;

    // the checkpoint: everything as of the last closed part
    private List<PartInfo> parts = new ArrayList<>();
    private long resumeOffset;
    private long resumeLine = 1;
    private long rejectedCount;
    private long rejectedLinesBytes;
    private long rejectedReasonsBytes;
    private String firstRejection;
    private long hashSum;
    private boolean published;

    // the part being written
    private EventParquetWriter current;
    /** Taken from the run's pool before the first part, reused by the day's parts, given back on close. */
    private final WriterBufferPool bufferPool;
    private EventParquetWriter.Buffers writerBuffers;
    private Location currentLocation;
    private int sinceSizeCheck;
    private long pendingRejected;
    private String pendingFirstRejection;
    private long pendingHash;

    public DayPartition(ExportContext ctx, LocalDate day, WriterBufferPool bufferPool) {
        this.ctx = ctx;
        this.bufferPool = bufferPool;
        this.day = day;
        this.epochDay = day.toEpochDay();
        this.job = ctx.job();
    }

    public LocalDate day() {
        return day;
    }

    @Override
    public void open(ExecutionContext ec) throws ItemStreamException {
        if (opened) {
            return;
        }
        opened = true;
        if (Boolean.TRUE.equals(ec.get(PUBLISHED, Boolean.class, false))) {
            finished = true; // published by an earlier execution whose step then failed to complete
            return;
        }
        runId = ec.containsKey(RUN_ID) ? ec.getString(RUN_ID) : ctx.runId();
        ec.putString(RUN_ID, runId);
        ctx.ledger().started(job.name(), day, ctx.runId());
        try {
            spool = ctx.spools().forRequest(request());
            parser = new MixpanelEventParser(job.mixpanel().timezone(), job.export().timeInMs());
            if (!spool.isComplete()) {
                // the day is its own request (step 1 left it to this step): download it while converting
                ec.putString(SPOOL_ID, STREAMED);
                resetOutputs();
                streamed = new StreamedFetch(ctx.client(), request(), spool, ctx.requestSlots(), day.toString());
                return; // the reader opens on the first read, once the download's first attempt has begun
            }
            spoolManifest = spool.manifest();
            String bodyId = spool.bodyId();
            String checkpointed = ec.containsKey(SPOOL_ID) ? ec.getString(SPOOL_ID) : null;
            if (bodyId.equals(checkpointed)) {
                restore(ec);
            } else if (STREAMED.equals(checkpointed)) {
                log.info("{}: converting the spool downloaded by the interrupted execution from the start", day);
            } else if (checkpointed != null) {
                log.info("{}: the spool was fetched again since the last checkpoint; converting from the start", day);
            }
            ec.putString(SPOOL_ID, bodyId);
            resetOutputs();
            InputStream in = spool.openLines();
            in.skipNBytes(resumeOffset);
            lines = reader(in, resumeOffset, resumeLine);
            if (resumeOffset > 0) {
                log.info("{}: resuming after {} closed parts at line {}", day, parts.size(), resumeLine);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(day + ": " + e.getMessage(), e);
        }
    }

    /** Parsing runs on the reader's own thread (the parser is confined to it), encoding on the step's. */
    private SpoolLineReader reader(InputStream in, long offset, long line) {
        return new SpoolLineReader(in, offset, line, SpoolLineReader.BATCH_BYTES, SpoolLineReader.MAX_LINE_BYTES, b -> b.parse(parser));
    }

    private ExportRequest request() {
        return ExportContext.dayRequest(job, day);
    }

    private void restore(ExecutionContext ec) {
        parts = PartInfo.decode(ec.getString(PARTS, ""));
        resumeOffset = ec.getLong(RESUME_OFFSET, 0L);
        resumeLine = ec.getLong(RESUME_LINE, 1L);
        rejectedCount = ec.getLong(REJECTED, 0L);
        rejectedLinesBytes = ec.getLong(REJECTED_LINES_BYTES, 0L);
        rejectedReasonsBytes = ec.getLong(REJECTED_REASONS_BYTES, 0L);
        firstRejection = ec.containsKey(FIRST_REJECTION) ? ec.getString(FIRST_REJECTION) : null;
        hashSum = ec.getLong(HASH, 0L);
    }

    /**
     * Brings the day's outputs back to the checkpoint: deletes staged parts it does not name and cuts the
     * rejected-line files back to its lengths (what a run that then died wrote after it).
     */
    private void resetOutputs() throws IOException {
        cleanStaging();
        rejected = new RejectedLines(spool.rejectedDir(), day.toString());
        rejected.resetTo(rejectedLinesBytes, rejectedReasonsBytes);
    }

    /** Deletes staged parts the checkpoint does not name: written after it, by a run that then died. */
    private void cleanStaging() throws IOException {
        Set<String> keep = new HashSet<>();
        parts.forEach(p -> keep.add(p.name()));
        for (FileEntry f : ctx.storage().list(ctx.layout().staging(day))) {
            if (!keep.contains(f.location().fileName())) {
                ctx.storage().delete(f.location());
            }
        }
    }

    /** The next batch of lines; the end marker once; then null. */
    public LineBatch read() throws IOException {
        while (true) {
            if (finished) {
                return null;
            }
            if (lines == null) {
                if (streamed == null) {
                    return null;
                }
                // waits for the download's next attempt; throws the client's failure when there is none
                lines = reader(streamed.nextAttempt(), 0, 1);
            }
            LineBatch batch;
            try {
                batch = lines.next();
            } catch (StreamedFetch.AttemptAbandonedException e) {
                discardAttempt(e.getMessage());
                continue;
            }
            if (batch == null) {
                finished = true;
            } else if (batch.isEnd() && streamed != null) {
                spoolManifest = streamed.manifest(); // the stream ends only once the spool is committed
            }
            return batch;
        }
    }

    /** Forgets everything converted from a download attempt that was given up; the next one starts afresh. */
    private void discardAttempt(String reason) throws IOException {
        log.warn("{}: {}; converting the next attempt from the start", day, reason);
        lines.close();
        lines = null;
        if (current != null) {
            current.abort();
            current = null;
        }
        parts = new ArrayList<>();
        resumeOffset = 0;
        resumeLine = 1;
        rejectedCount = 0;
        rejectedLinesBytes = 0;
        rejectedReasonsBytes = 0;
        firstRejection = null;
        hashSum = 0;
        pendingRejected = 0;
        pendingFirstRejection = null;
        pendingHash = 0;
        rejected.close(); // buffered rejections of the void attempt are flushed, then cut off
        resetOutputs();
    }

    public void write(Chunk<? extends LineBatch> chunk) throws Exception {
        for (LineBatch batch : chunk) {
            if (batch.isEnd()) {
                finish();
            } else {
                convert(batch);
                lines.recycle(batch);
            }
        }
    }

    private void convert(LineBatch batch) throws IOException {
        byte[] buf = batch.buffer();
        long events = 0;
        for (int i = 0; i < batch.size(); i++) {
            int length = batch.length(i);
            if (length == LineBatch.OVERSIZED) {
                reject(batch, i, "line longer than " + (SpoolLineReader.MAX_LINE_BYTES >> 20) + " MiB");
                continue;
            }
            String malformed = batch.error(i);
            if (malformed != null) {
                reject(batch, i, malformed);
                continue;
            }
            ParsedEvent event = batch.event(i);
            if (event.eventEpochDay() != epochDay) {
                reject(batch, i, "event time falls on " + event.eventDate() + " in " + job.mixpanel().timezone()
                        + ", outside the requested day " + day);
                continue;
            }
            if (current == null) {
                openPart();
            }
            current.write(event, buf);
            pendingHash += batch.hash(i); // hashed by the parsing thread
            events++;
            if (++sinceSizeCheck >= SIZE_CHECK_EVERY) {
                sinceSizeCheck = 0;
                if (current.dataSize() >= job.export().partSizeBytes()) {
                    closePart(batch.endOffset(i), batch.lineNumber(i) + 1);
                }
            }
        }
        ctx.progress().add(day, events, batch.used());
    }

    private void reject(LineBatch batch, int i, String reason) throws IOException {
        rejected.add(batch.lineNumber(i), batch.endOffset(i), reason, batch.buffer(), batch.start(i), batch.length(i));
        pendingRejected++;
        if (firstRejection == null && pendingFirstRejection == null) {
            pendingFirstRejection = "line " + batch.lineNumber(i) + ": " + reason;
        }
    }

    private void openPart() throws IOException {
        Location location = ctx.layout().staging(day).resolve(DatasetLayout.partName(parts.size(), runId));
        if (writerBuffers == null) {
            writerBuffers = bufferPool.acquire();
        }
        current = new EventParquetWriter(ctx.storage().newOutputFile(location), ParquetSettings.options(job),
                writerBuffers);
        currentLocation = location;
        sinceSizeCheck = 0;
    }

    /** Closes the current part (if any) and moves the checkpoint to just past {@code offset}. */
    private void closePart(long offset, long nextLine) throws IOException {
        if (current != null) {
            EventParquetWriter w = current;
            current = null;
            long rows = w.rows();
            w.close();
            parts.add(new PartInfo(currentLocation.fileName(), rows, w.fileSize()));
        }
        rejected.flush();
        rejectedCount += pendingRejected;
        pendingRejected = 0;
        hashSum += pendingHash;
        pendingHash = 0;
        if (firstRejection == null) {
            firstRejection = pendingFirstRejection;
        }
        pendingFirstRejection = null;
        rejectedLinesBytes = rejected.linesBytes();
        rejectedReasonsBytes = rejected.reasonsBytes();
        resumeOffset = offset;
        resumeLine = nextLine;
    }

    private void finish() throws IOException {
        closePart(spoolManifest.decodedBytes(), spoolManifest.lines() + 1);
        long maxRejected = job.export().maxRejectedLines();
        if (rejectedCount > maxRejected) {
            throw new PartitionFailedException(day + ": " + rejectedCount + " malformed line(s) exceed export.maxRejectedLines="
                    + maxRejected + "; first: " + firstRejection + " (all kept in " + rejected.reasonsFile().getParent() + ")");
        }
        long rows = parts.stream().mapToLong(PartInfo::rows).sum();
        long bytes = parts.stream().mapToLong(PartInfo::bytes).sum();
        String contentHash = LineHash.format(rows, hashSum);
        Optional<PartitionRecord> before = ctx.ledger().find(job.name(), day).filter(r -> r.publishedAt() != null);
        // a late-data re-fetch leaves an unchanged day alone; an operator's rerun always rewrites it (repairs)
        if (before.isPresent() && before.get().state() == PartitionState.PUBLISHED
                && contentHash.equals(before.get().contentHash())) {
            // a late-data re-fetch that found nothing new: the published day is left as it is
            for (PartInfo part : parts) {
                ctx.storage().delete(ctx.layout().staging(day).resolve(part.name()));
            }
            ctx.ledger().unchanged(job.name(), day, runId);
            published = true;
            ctx.progress().done(day);
            log.info("{}: unchanged ({} rows), not rewritten", day, rows);
            return;
        }
        long lateEvents = before.map(r -> rows - r.rows()).orElse(0L);
        DayManifest manifest = new DayManifest(ParquetSettings.SCHEMA_VERSION, job.name(), job.mixpanel().projectId(), day,
                job.mixpanel().timezone().getId(), runId, Instant.now(), rows, bytes, rejectedCount, List.copyOf(parts),
                new DayManifest.Request(spoolManifest.window(), job.export().timeInMs(), spoolManifest.lines(),
                        spoolManifest.completedAt()), contentHash, lateEvents);
        ctx.publisher().publish(manifest);
        ctx.ledger().published(job.name(), day, runId, rows, parts.size(), bytes, rejectedCount,
                spoolManifest.decodedBytes(), contentHash);
        published = true;
        ctx.progress().done(day);
        log.info("{}: published {} rows in {} files ({} bytes), {} rejected lines{}", day, rows, parts.size(), bytes,
                rejectedCount, before.isPresent() ? ", " + lateEvents + " more than before (late data)" : "");
    }

    @Override
    public void update(ExecutionContext ec) throws ItemStreamException {
        if (runId == null) {
            return;
        }
        ec.putString(PARTS, PartInfo.encode(parts));
        ec.putLong(RESUME_OFFSET, resumeOffset);
        ec.putLong(RESUME_LINE, resumeLine);
        ec.putLong(REJECTED, rejectedCount);
        ec.putLong(REJECTED_LINES_BYTES, rejectedLinesBytes);
        ec.putLong(REJECTED_REASONS_BYTES, rejectedReasonsBytes);
        if (firstRejection != null) {
            ec.putString(FIRST_REJECTION, firstRejection);
        }
        ec.putLong(HASH, hashSum);
        ec.put(PUBLISHED, published);
    }

    @Override
    public void close() throws ItemStreamException {
        if (current != null) {
            current.abort(); // not checkpointed: a restart writes it again
            current = null;
        }
        if (writerBuffers != null) {
            bufferPool.release(writerBuffers); // no writer uses them any more
            writerBuffers = null;
        }
        try {
            if (rejected != null) {
                rejected.close();
            }
            if (lines != null) {
                lines.close();
            }
        } catch (IOException e) {
            throw new ItemStreamException(day + ": cannot close the spool", e);
        } finally {
            if (streamed != null) {
                streamed.close(); // waits for a download still running, so that its spool is kept
            }
        }
    }

    /** The spool of this day, once opened (for cleanup after the step commits). */
    Spool spool() {
        return spool;
    }

    boolean isPublished() {
        return published;
    }
}
