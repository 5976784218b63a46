package io.mixpanelpipelines.job.day;

import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.convert.json.MixpanelEventParser;
import io.mixpanelpipelines.ingest.LineBatch;
import io.mixpanelpipelines.ingest.SpoolLineReader;
import io.mixpanelpipelines.ingest.StreamedFetch;
import io.mixpanelpipelines.ingest.WindowSplitter;
import io.mixpanelpipelines.source.ExportRequest;
import io.mixpanelpipelines.source.MixpanelExportClient;
import io.mixpanelpipelines.source.Spool;
import io.mixpanelpipelines.source.SpoolManifest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.infrastructure.item.ItemReader;

/**
 * The day step's item reader: the day's body in {@link LineBatch}es of a few MiB, parsed, then the end
 * marker once, then null. The body is the day's complete spool from a checkpoint's offset on
 * ({@link #openSpool}), or the day's own request {@linkplain StreamedFetch downloaded while it is converted}
 * ({@link #openDownload}). Splitting runs on a thread of its own and parsing on another (the parser is
 * confined to it); the step's thread takes the batches. When the download gives an attempt up, the reader
 * tells its {@link Restart} (the writer forgets what it converted from it) and reads the next attempt from
 * its start; batches of the void attempt that the step read but has not written yet (they sit in the same
 * chunk as the next attempt's first ones) are {@linkplain #isVoid void}, and the writer skips them.
 *
 * <p>Restartable through {@link DayCheckpoint} (opened at its offset by {@link DayStream}). Not
 * thread-safe: one instance per step execution (step scope), used by the step's thread only.
 */
public class DayLineReader implements ItemReader<LineBatch> {

    /** Told when a download attempt was given up: what was converted from it must be forgotten. */
    @FunctionalInterface
    public interface Restart {
        void attemptAbandoned() throws IOException;
    }

    private static final Logger log = LoggerFactory.getLogger(DayLineReader.class);

    private final LocalDate day;
    private final JobDefinition job;
    private final MixpanelExportClient client;
    private final Semaphore requestSlots;
    private final ExportRequest request;
    /** What the log calls the body: the day, or the slice. */
    private final String label;
    private final int batchBytes;
    private MixpanelEventParser parser;
    private SpoolLineReader lines;
    private StreamedFetch streamed;
    private Restart restart;
    /** Batches of the current download attempt read and not yet handed back: a few (a chunk) at most. */
    private final List<LineBatch> unwritten = new ArrayList<>();
    /** Batches of an abandoned attempt that the writer has still to be given: never converted. */
    private final Set<LineBatch> voided = Collections.newSetFromMap(new IdentityHashMap<>());
    private SpoolManifest spoolManifest;
    private boolean finished;
    /**
     * Where a line too long to hold in memory is streamed to, for the writer to move into the day's rejected
     * lines: the day's own spool folder (the rejected folder is shared by the job's days, converted at once).
     */
    private Path oversizeDir;

    /**
     * @param requestSlots bounds the day steps' own downloads to export.maxConcurrentRequests
     * @param slice the slice read, when the day is sliced (its own request); null for the whole day
     * @param batchBytes a line batch's fill mark ({@link CheckpointInterval#batchBytes})
     */
    public DayLineReader(LocalDate day, JobDefinition job, DaySpools spools, MixpanelExportClient client,
            Semaphore requestSlots, SliceStep slice, int batchBytes) {
        this.day = day;
        this.batchBytes = batchBytes;
        this.job = job;
        this.client = client;
        this.requestSlots = requestSlots;
        this.request = slice == null ? spools.dayRequest(day) : spools.sliceRequest(slice.slice());
        this.label = slice == null ? day.toString() : slice.label();
    }

    /** Reads the complete spool from {@code offset} on, where line {@code line} starts. */
    public void openSpool(Spool spool, long offset, long line) throws IOException {
        parser = newParser();
        oversizeDir = spool.dir();
        spoolManifest = spool.manifest();
        InputStream in = spool.openLines();
        in.skipNBytes(offset);
        lines = reader(in, offset, line);
    }

    /**
     * Starts the day's request into {@code spool}; the batches come as it arrives (the first read waits for
     * the first attempt to begin).
     */
    public void openDownload(Spool spool, Restart restart) {
        parser = newParser();
        oversizeDir = spool.dir();
        this.restart = restart;
        streamed = new StreamedFetch(client, request, spool, requestSlots, label);
    }

    /**
     * Downloads the day's request into {@code spool} without converting it, only hashing its content on the
     * way (the body is decoded once): for a day published before and re-fetched for late data, which is then
     * converted from the spool only if it changed. Returns the committed spool's manifest with the content
     * hash and rejections its conversion would find ({@link DayCompletion#completeIfUnchanged}).
     *
     * @throws RuntimeException the client's failure when the fetch failed for good
     */
    public SpoolManifest fetchHashed(Spool spool, String publishedHash) throws IOException {
        WindowSplitter.Split split = new WindowSplitter(job.mixpanel().timezone(), job.export().timeInMs())
                .begin(spool.dir(), Map.of(day, spool), Map.of(day, publishedHash));
        try (StreamedFetch fetch = new StreamedFetch(client, request, spool, requestSlots, label)) {
            while (true) {
                InputStream attempt = fetch.nextAttempt();
                try {
                    split.read(attempt); // ends once the body ended cleanly and the spool is committed
                    return split.measured(day, fetch.manifest());
                } catch (StreamedFetch.AttemptAbandonedException e) {
                    log.warn("{}: {}; hashing the next attempt from the start", day, e.getMessage());
                }
            }
        }
    }

    /**
     * Receives the body's own request into {@code spool} without converting it (a slice a remote worker
     * fetches: the spool, shared once complete, lets another worker resume the slice from its checkpoint
     * without a request), within the run's request slots.
     *
     * @throws RuntimeException the client's failure when the fetch failed for good
     */
    public void fetchInto(Spool spool) throws IOException {
        try {
            requestSlots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException(label + ": interrupted while waiting for a request slot");
        }
        try {
            client.fetch(request, spool);
        } finally {
            requestSlots.release();
        }
    }

    private MixpanelEventParser newParser() {
        return new MixpanelEventParser(job.mixpanel().timezone(), job.export().timeInMs());
    }

    /** Parsing runs on the reader's own thread (the parser is confined to it), encoding on the step's. */
    private SpoolLineReader reader(InputStream in, long offset, long line) {
        return new SpoolLineReader(in, offset, line, batchBytes, SpoolLineReader.MAX_LINE_BYTES,
                b -> b.parse(parser), oversizeDir);
    }

    /** The file line {@code lineNumber}, reported {@link LineBatch#OVERSIZED}, was streamed to. */
    public Path oversizedLine(long lineNumber) {
        return SpoolLineReader.oversizedLine(oversizeDir, lineNumber);
    }

    /** The next batch of lines; the end marker once; then null (also when never opened: nothing to do). */
    @Override
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
                log.warn("{}: {}; converting the next attempt from the start", label, e.getMessage());
                lines.close();
                lines = null;
                voided.addAll(unwritten);
                unwritten.clear();
                restart.attemptAbandoned();
                continue;
            }
            if (batch == null) {
                finished = true;
            } else if (streamed != null) {
                if (batch.isEnd()) {
                    spoolManifest = streamed.manifest(); // the stream ends only once the spool is committed
                } else {
                    unwritten.add(batch);
                }
            }
            return batch;
        }
    }

    /**
     * Whether {@code batch} came from a download attempt given up after it was read: its lines must not be
     * converted (the next attempt brings them again). Answers true once per such batch.
     */
    public boolean isVoid(LineBatch batch) {
        return !voided.isEmpty() && voided.remove(batch);
    }

    /** Hands a converted batch back so that its buffers are reused. */
    public void recycle(LineBatch batch) {
        if (!unwritten.isEmpty()) {
            unwritten.remove(batch); // identity: LineBatch keeps Object's equals
        }
        lines.recycle(batch);
    }

    /** The body's manifest: known once opened on a spool, or once a download's end marker was read. */
    public SpoolManifest spoolManifest() {
        return spoolManifest;
    }

    /** Stops the read-ahead threads; waits for a download still running, so that its spool is kept. */
    public void close() throws IOException {
        try {
            if (lines != null) {
                lines.close();
            }
        } finally {
            if (streamed != null) {
                streamed.close();
            }
        }
    }
}
