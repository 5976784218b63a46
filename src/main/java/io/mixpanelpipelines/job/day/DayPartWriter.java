package io.mixpanelpipelines.job.day;

import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.convert.json.ParsedEvent;
import io.mixpanelpipelines.convert.parquet.EventParquetWriter;
import io.mixpanelpipelines.convert.parquet.ParquetWriterOptions;
import io.mixpanelpipelines.convert.parquet.WriterBufferPool;
import io.mixpanelpipelines.dataset.DatasetLayout;
import io.mixpanelpipelines.dataset.PartInfo;
import io.mixpanelpipelines.identity.DayIdentities;
import io.mixpanelpipelines.identity.DayIdentityFeed;
import io.mixpanelpipelines.ingest.LineBatch;
import io.mixpanelpipelines.ingest.LineHash;
import io.mixpanelpipelines.ingest.RejectedLines;
import io.mixpanelpipelines.ingest.RepairedLines;
import io.mixpanelpipelines.ingest.SpoolLineReader;
import io.mixpanelpipelines.source.SpoolManifest;
import io.mixpanelpipelines.storage.FileEntry;
import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.Storage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ItemWriter;

/**
 * The day step's item writer: writes the events of each {@link LineBatch} into staged Parquet parts that
 * roll at {@code export.partSize}, and every line it cannot publish (malformed, oversized, another day's)
 * into the day's {@link RejectedLines}. Each closed part moves the {@link DayCheckpoint}; the end marker
 * closes the last part and hands the day to {@link DayCompletion} (too many rejected lines fail it first),
 * with the day's identity mappings, derived from each event as it is written ({@link DayIdentities}). A
 * slice of a sliced day ({@link SliceStep}) writes parts named after its hour and is handed to
 * {@link SliceAssembly} instead, which completes the day once its last slice is staged.
 *
 * <p>Restartable: {@link #open} brings the day's outputs back to a checkpoint (deletes staged parts it does
 * not name, cuts the rejected-line files back to its lengths); the mappings of the parts it names are read
 * back from them when the day is finished. Not thread-safe: one instance per step
 * execution (step scope), used by the step's thread only; its batches' events were parsed by the reader.
 */
public class DayPartWriter implements ItemWriter<LineBatch> {

    private static final int SIZE_CHECK_EVERY = 256;

    private final LocalDate day;
    private final long epochDay;
    private final JobDefinition job;
    private final Storage storage;
    private final DatasetLayout layout;
    private final Progress progress;
    private final DayCompletion completion;
    private final DayLineReader reader;
    private final ParquetWriterOptions options;
    private final WriterBufferPool bufferPool;
    private final IdentityMaintenance identity;
    /** The slice converted, when the day is sliced (null: the whole day); and what assembles its day. */
    private final SliceStep slice;
    private final SliceAssembly assembly;
    /** Whether this slice assembled its day (then its step deletes the day's slice spools). */
    private boolean assembled;
    /**
     * The identity mappings of the events written since the checkpoint the writer was opened at; spilled to a
     * local folder of the day's (or slice's) own past a fixed number in memory, deleted once the day is
     * published or the writer closes (and, after a kill, when the day or slice is opened again).
     */
    private final DayIdentities mappings;
    /** Derives {@link #mappings} on a thread of its own: drained before they are read or cleared. */
    private final DayIdentityFeed feed;
    /** The parts closed before that checkpoint: their mappings are read back from them at the end. */
    private List<PartInfo> partsBeforeOpen = List.of();

    private DayCheckpoint checkpoint;
    private Path rejectedDir;
    private RejectedLines rejected;
    private Path repairedDir;
    private RepairedLines repaired;

    // the part being written, and what the lines since the checkpoint added
    private EventParquetWriter current;
    /** Reused by the day's parts, one after the other. */
    private EventParquetWriter.Buffers writerBuffers;
    private Location currentLocation;
    private int sinceSizeCheck;
    private long pendingRejected;
    private String pendingFirstRejection;
    private long pendingHash;

    /**
     * @param reader the step's reader, which takes the converted batches back for reuse
     * @param bufferPool the run's Parquet buffers: one set per day converting at once, held from the day's
     *     first part until the writer closes
     */
    public DayPartWriter(LocalDate day, JobDefinition job, Storage storage, DatasetLayout layout, Progress progress,
            DayCompletion completion, DayLineReader reader, WriterBufferPool bufferPool, IdentityMaintenance identity,
            SliceStep slice, SliceAssembly assembly) {
        this.day = day;
        this.epochDay = day.toEpochDay();
        this.job = job;
        this.storage = storage;
        this.layout = layout;
        this.progress = progress;
        this.completion = completion;
        this.reader = reader;
        this.options = ParquetSettings.options(job);
        this.bufferPool = bufferPool;
        this.identity = identity;
        this.slice = slice;
        this.assembly = assembly;
        this.mappings = identity.newMappings(slice == null ? day.toString() : slice.label());
        this.feed = new DayIdentityFeed(mappings, "identity-" + (slice == null ? day.toString() : slice.label()));
    }

    /** Starts from {@code checkpoint}: the day's outputs are brought back to it. */
    public void open(DayCheckpoint checkpoint, Path rejectedDir, Path repairedDir) throws IOException {
        this.checkpoint = checkpoint;
        this.rejectedDir = rejectedDir;
        this.repairedDir = repairedDir;
        if (slice != null) {
            assembly.opened(slice);
        }
        resetOutputs();
    }

    /**
     * Right after {@link #open} on a complete spool: when {@link DayCompletion#completeIfUnchanged} finds the
     * body's content already published, the day is done without converting a line (its checkpoint says
     * published) and the step is given nothing to read.
     */
    public boolean completeIfUnchanged(SpoolManifest body) throws IOException {
        if (!completion.completeIfUnchanged(day, checkpoint, body)) {
            return false;
        }
        checkpoint = checkpoint.asPublished();
        return true;
    }

    /** Whether this slice's step assembled and completed its day (always false for a whole day). */
    public boolean assembled() {
        return assembled;
    }

    /** The checkpoint as of the last closed part (null before {@link #open}). */
    public DayCheckpoint checkpoint() {
        return checkpoint;
    }

    /**
     * Brings the day's outputs back to the checkpoint: deletes staged parts it does not name and cuts the
     * rejected-line files back to its lengths (what a run that then died wrote after it).
     */
    private void resetOutputs() throws IOException {
        cleanStaging();
        feed.drain();
        mappings.clear();
        partsBeforeOpen = checkpoint.parts();
        String name = slice == null ? day.toString() : slice.label();
        rejected = new RejectedLines(rejectedDir, name);
        rejected.resetTo(checkpoint.rejectedLinesBytes(), checkpoint.rejectedReasonsBytes());
        repaired = new RepairedLines(repairedDir, name);
        repaired.resetTo(checkpoint.repairedLines(), checkpoint.repairedLinesBytes());
    }

    /**
     * Deletes staged parts the checkpoint does not name: written after it, by a run that then died. A slice
     * touches only its own parts: the day's other slices stage theirs beside them at the same time.
     */
    private void cleanStaging() throws IOException {
        Set<String> keep = new HashSet<>();
        checkpoint.parts().forEach(p -> keep.add(p.name()));
        for (FileEntry f : storage.list(layout.staging(day))) {
            String name = f.location().fileName();
            if (!keep.contains(name) && (slice == null || slice.ownsPart(name))) {
                storage.delete(f.location());
            }
        }
    }

    /** Forgets everything converted from a download attempt that was given up; the next one starts afresh. */
    public void discard() throws IOException {
        if (current != null) {
            current.abort();
            current = null;
        }
        checkpoint = checkpoint.discard();
        pendingRejected = 0;
        pendingFirstRejection = null;
        pendingHash = 0;
        rejected.close(); // buffered rejections of the void attempt are flushed, then cut off
        repaired.close();
        resetOutputs();
    }

    @Override
    public void write(Chunk<? extends LineBatch> chunk) throws Exception {
        for (LineBatch batch : chunk) {
            if (reader.isVoid(batch)) {
                continue; // read from a download attempt given up since: the next attempt brings its lines
            } else if (batch.isEnd()) {
                finish();
            } else {
                convert(batch);
                reader.recycle(batch);
            }
        }
    }

    private void convert(LineBatch batch) throws IOException {
        byte[] buf = batch.buffer();
        long events = 0;
        for (int i = 0; i < batch.size(); i++) {
            int length = batch.length(i);
            if (length == LineBatch.OVERSIZED) {
                rejectOversized(batch, i);
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
            feed.offer(event);
            if (event.repaired()) { // published with U+FFFD for broken surrogate escapes: keep the original
                repaired.add(buf, batch.start(i), batch.length(i));
            }
            pendingHash += batch.hash(i); // hashed by the parsing thread
            events++;
            if (++sinceSizeCheck >= SIZE_CHECK_EVERY) {
                sinceSizeCheck = 0;
                if (current.dataSize() >= job.export().partSizeBytes()) {
                    closePart(batch.endOffset(i), batch.lineNumber(i) + 1);
                }
            }
        }
        progress.add(day, events, batch.used());
    }

    private void reject(LineBatch batch, int i, String reason) throws IOException {
        rejected.add(batch.lineNumber(i), batch.startOffset(i), reason, batch.buffer(), batch.start(i), batch.length(i));
        counted(batch, i, reason);
    }

    /** A line too long to hold in memory: the reader streamed it to a file of its own, moved in byte for byte. */
    private void rejectOversized(LineBatch batch, int i) throws IOException {
        String reason = "line longer than " + (SpoolLineReader.MAX_LINE_BYTES >> 20) + " MiB";
        Path line = reader.oversizedLine(batch.lineNumber(i));
        if (!Files.exists(line)) { // the reader always streams it there: never publish a day that lost a line
            throw new IllegalStateException(day + ": line " + batch.lineNumber(i) + " is longer than "
                    + (SpoolLineReader.MAX_LINE_BYTES >> 20) + " MiB but was not kept in " + line);
        }
        rejected.addFrom(batch.lineNumber(i), batch.startOffset(i), reason, line);
        counted(batch, i, reason);
    }

    private void counted(LineBatch batch, int i, String reason) {
        pendingRejected++;
        if (checkpoint.firstRejection() == null && pendingFirstRejection == null) {
            pendingFirstRejection = "line " + batch.lineNumber(i) + ": " + reason;
        }
    }

    private void openPart() throws IOException {
        int index = checkpoint.parts().size();
        Location location = layout.staging(day).resolve(slice == null ? DatasetLayout.partName(index, checkpoint.runId())
                : slice.partName(index, checkpoint.runId()));
        if (writerBuffers == null) {
            writerBuffers = bufferPool.acquire(); // waits while parallelism days hold theirs
        }
        current = new EventParquetWriter(storage.newOutputFile(location), options, writerBuffers);
        currentLocation = location;
        sinceSizeCheck = 0;
    }

    /** Closes the current part (if any) and moves the checkpoint to just past {@code offset}. */
    private void closePart(long offset, long nextLine) throws IOException {
        PartInfo part = null;
        if (current != null) {
            EventParquetWriter w = current;
            current = null;
            long rows = w.rows();
            w.close();
            part = new PartInfo(currentLocation.fileName(), rows, w.fileSize());
        }
        rejected.flush();
        repaired.checkpoint();
        checkpoint = checkpoint.partClosed(part, offset, nextLine, pendingRejected, pendingFirstRejection, pendingHash,
                rejected.linesBytes(), rejected.reasonsBytes()).withRepaired(repaired.count(), repaired.bytes());
        pendingRejected = 0;
        pendingHash = 0;
        pendingFirstRejection = null;
    }

    private void finish() throws IOException {
        SpoolManifest body = reader.spoolManifest();
        feed.drain(); // every event's mappings derived
        IdentityStaging staging = null;
        try {
            staging = stageAhead();
            finish(body, staging);
        } catch (IOException | RuntimeException | Error e) {
            if (staging != null) {
                staging.awaitAfter(e); // the spills outlive their reader
            }
            throw e;
        }
        if (staging != null) {
            staging.awaitQuietly(); // done already: DayCompletion waited for it
        }
        if (slice == null) {
            checkpoint = checkpoint.asPublished();
            deleteSpills(); // published: the spilled candidates go now, not when the step ends
        }
    }

    /**
     * Stages the day's identity mappings on a thread of their own while the last part closes, when the day
     * will be published as it is (not a slice, not resumed, not too many rejected lines, not unchanged):
     * the content the closed parts will hold is known now. Null when it is left to {@link DayCompletion}.
     */
    private IdentityStaging stageAhead() {
        if (slice != null || !partsBeforeOpen.isEmpty()
                || checkpoint.rejectedLines() + pendingRejected > job.export().maxRejectedLines()) {
            return null;
        }
        long rows = checkpoint.rows() + (current == null ? 0 : current.rows());
        String content = LineHash.format(rows, checkpoint.hashSum() + pendingHash);
        if (!completion.willPublish(day, content)) {
            return null;
        }
        return IdentityStaging.start(identity, day, content, checkpoint.runId(), mappings);
    }

    private void finish(SpoolManifest body, IdentityStaging staging) throws IOException {
        closePart(body.decodedBytes(), body.lines() + 1);
        long maxRejected = job.export().maxRejectedLines();
        if (checkpoint.rejectedLines() > maxRejected) {
            throw new PartitionFailedException((slice == null ? day.toString() : slice.label()) + ": " + checkpoint.rejectedLines()
                    + " malformed line(s) exceed export.maxRejectedLines=" + maxRejected + "; first: "
                    + checkpoint.firstRejection() + " (all kept in " + rejected.reasonsFile().getParent() + ")");
        }
        if (slice != null) {
            assembled = assembly.staged(slice, checkpoint, body, mappings, partsBeforeOpen);
            if (assembled) {
                checkpoint = checkpoint.asPublished();
            }
            return;
        }
        if (!partsBeforeOpen.isEmpty()) { // resumed: the lines of the parts closed before were not read again
            identity.addStagedParts(day, partsBeforeOpen, mappings);
        }
        completion.complete(day, checkpoint, body, mappings, staging);
    }

    /**
     * Drops the part being written (not checkpointed: a restart writes it again), gives the Parquet buffers
     * back to the run's pool and closes the rejected files.
     */
    public void close() throws IOException {
        feed.close();
        deleteSpills(); // of a day that failed or stopped too: its next conversion derives them again
        if (current != null) {
            current.abort();
            current = null;
        }
        if (writerBuffers != null) {
            bufferPool.release(writerBuffers);
            writerBuffers = null;
        }
        if (rejected != null) {
            rejected.close();
        }
        if (repaired != null) {
            repaired.close();
        }
    }

    /** Local scratch that failed to go is logged, not thrown: the day's data is safe, the next run empties it. */
    private void deleteSpills() {
        try {
            mappings.close();
        } catch (IOException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(DayPartWriter.class).warn("{}: could not delete spilled identity mappings: {}",
                    day, e.getMessage());
        }
    }
}
