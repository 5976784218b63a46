package io.mixpanelpipelines.ingest;

import io.mixpanelpipelines.convert.json.EventDayPeek;
import io.mixpanelpipelines.convert.json.MixpanelEventParser;
import io.mixpanelpipelines.source.Spool;
import io.mixpanelpipelines.source.SpoolManifest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits the decoded body of a multi-day request into one spool per day, by each event's day in the project
 * timezone. A line whose day cannot be read (malformed, or longer than the reader keeps in memory: streamed
 * through a file of its own) or lies outside the window goes to the first day's spool, where conversion
 * rejects and keeps it: nothing is dropped. Day spools are zstd at level 1 (measured: a daily run's split
 * costs about 1.5 s less CPU per 450,000 events than with gzip at its fastest level, and the new day reads
 * back faster), except the one day a window writes beside days held back (the new day of a daily run, read
 * back at once by its conversion), kept as plain lines unless spools are also kept in shared storage
 * ({@code export.spoolUri}), where zstd saves uploading about 7 times the bytes.
 *
 * <p>The body is split as it is downloaded ({@link #begin}, fed each attempt's decoded stream), so it is
 * decoded once; a window whose spool is complete already (a restart) is split from it ({@link #split}).
 * Day spools are committed only when the whole window has been split and its spool committed, so a crash
 * half-way splits again from the window's spool.
 *
 * <p>Each day's manifest also carries the content hash its conversion would publish ({@link LineHash#format}
 * of the rows of that day and the sum of their {@link LineHash}es, exactly as the day step sums them) and the
 * count of its lines the conversion would reject, so a re-fetched day found unchanged is never converted.
 * A day already published (its content hash given) is <em>held back</em>: counted and hashed but not written,
 * since in steady state it is unchanged and its spool would only be deleted; its lines are not even parsed when
 * their day can be read without it ({@link EventDayPeek}): they are only hashed. While days are held back, so
 * are the other days' lines whose day can be read and that cannot hide a second {@code time} key, neither parsed
 * nor hashed (the new day of a daily run: its conversion parses and hashes them anyway, and parsing them twice
 * was a fifth of the daily run's added cost; such a line's day is the parser's, since no hash would catch a line
 * sent to an unpublished day or out of the window while its parser's day is held back): a day written with such
 * lines carries no content hash in its manifest (nothing compares one: the day was not published), and a
 * malformed line whose day is read goes to that day's spool, whose conversion rejects and keeps it. If it is
 * unchanged its spool is committed {@link Spool#OMITTED} (no body); if not, it is split once more from the
 * window's complete spool, which is kept until then. The verdict "unchanged" stays as strict as a parse's: equal
 * content hashes mean the very lines that were parsed and published. But once a held-back day differs, a line
 * only hashed may have been malformed, which a parse sends to the first day's spool instead, or given a
 * held-back day other than the one a parse gives it (a second {@code time} key: the peek reads the first): then
 * every day of the window is split again from its spool, each line parsed.
 *
 * <p>The slices of one sliced day are split the same way, one body after the other into the day's spool
 * ({@link #split(List, String, Map)}); the content hash does not depend on how the day was cut, since it sums
 * its lines' hashes. Not thread-safe.
 */
public final class WindowSplitter {

    private static final Logger log = LoggerFactory.getLogger(WindowSplitter.class);

    private final ZoneId zone;
    private final boolean timeInMs;

    public WindowSplitter(ZoneId zone, boolean timeInMs) {
        this.zone = zone;
        this.timeInMs = timeInMs;
    }

    /** Splits the window's complete spool into {@code days}' spools (every day written) and commits them. */
    public void split(Spool window, Map<LocalDate, Spool> days) throws IOException {
        split(window, days, Map.of());
    }

    /**
     * Splits the window's complete spool into {@code days}' spools and commits them; the days in
     * {@code published} (day to its published content hash) are held back.
     */
    public void split(Spool window, Map<LocalDate, Spool> days, Map<LocalDate, String> published) throws IOException {
        Split split = begin(window.dir(), days, published);
        try {
            split.read(window.openLines());
            split.finish(window);
        } catch (IOException | RuntimeException e) {
            split.abort();
            throw e;
        }
    }

    /**
     * Splits the bodies of several complete spools, read one after the other, into {@code days}' spools (every
     * day written) and commits them: the slices of one day, assembled into that day's spool, whose manifest says
     * {@code window} and is completed when the last source was.
     */
    public void split(List<Spool> sources, String window, Map<LocalDate, Spool> days) throws IOException {
        Instant completedAt = sources.stream().map(s -> s.manifest().completedAt()).max(Instant::compareTo).orElseThrow();
        Split split = begin(sources.get(0).dir(), days, Map.of());
        try {
            for (Spool source : sources) {
                split.pass(source.openLines(), split.outs, source.dir(), false);
            }
            split.commit(window, completedAt);
        } catch (IOException | RuntimeException e) {
            split.abort();
            throw e;
        }
    }

    /**
     * Starts splitting a body as it arrives into {@code days}' spools (in the window's order: the first one
     * gets the lines no day can publish); those in {@code published} are held back.
     *
     * @param oversizeDir where a line too long to hold in memory is streamed to on its way (the window's spool folder)
     */
    public Split begin(Path oversizeDir, Map<LocalDate, Spool> days, Map<LocalDate, String> published)
            throws IOException {
        return new Split(oversizeDir, days, published);
    }

    /** One window being split: {@link #read} each attempt's body, then {@link #finish} or {@link #abort}. */
    public final class Split {
        private final Path oversizeDir;
        private final Map<LocalDate, Spool> spools;
        private final Map<LocalDate, String> published;
        private final LocalDate first;
        private final Map<LocalDate, SplitDay> outs = new LinkedHashMap<>();
        /** The epoch days held back: their lines are only hashed while the body is read ({@link #read}). */
        private final long[] heldBack;
        /** The window's days by epoch day from the first: a line's day is looked up per line. */
        private final long firstEpochDay;
        private final boolean[] inWindow;
        private boolean dirty;
        /** Whether a line was only hashed, not parsed: then a held-back day that differs unsettles the rest. */
        private boolean peeked;

        private Split(Path oversizeDir, Map<LocalDate, Spool> spools, Map<LocalDate, String> published)
                throws IOException {
            this.oversizeDir = oversizeDir;
            this.spools = spools;
            this.published = published;
            this.first = spools.keySet().iterator().next();
            this.heldBack = spools.keySet().stream().filter(published::containsKey).mapToLong(LocalDate::toEpochDay).toArray();
            this.firstEpochDay = spools.keySet().stream().mapToLong(LocalDate::toEpochDay).min().orElseThrow();
            this.inWindow = new boolean[Math.toIntExact(
                    spools.keySet().stream().mapToLong(LocalDate::toEpochDay).max().orElseThrow() - firstEpochDay + 1)];
            spools.keySet().forEach(d -> inWindow[(int) (d.toEpochDay() - firstEpochDay)] = true);
            // the new day of a daily run beside its held-back lookback days is converted right after the split:
            // compressing its spool only to read it back at once was 0.38 s of the daily run's 1.46 s added CPU
            boolean plain = heldBack.length > 0 && spools.size() - heldBack.length == 1;
            try {
                for (Map.Entry<LocalDate, Spool> e : spools.entrySet()) {
                    boolean writes = !published.containsKey(e.getKey());
                    outs.put(e.getKey(), new SplitDay(e.getValue(), writes, !plain || e.getValue().isShared()));
                }
            } catch (IOException | RuntimeException e) {
                abort();
                throw e;
            }
        }

        /**
         * Splits one attempt's whole decoded body (a read after another starts the days over: the earlier
         * attempt was given up). Fails as the stream does ({@link StreamedFetch.AttemptAbandonedException}).
         */
        public void read(InputStream decoded) throws IOException {
            if (dirty) {
                for (SplitDay out : outs.values()) {
                    out.restart();
                }
            }
            dirty = true;
            pass(decoded, outs, oversizeDir, heldBack.length > 0);
        }

        /**
         * The window's spool is complete and the whole body was {@linkplain #read read}: splits the held-back days
         * that changed once more from the spool, then commits every day's spool. The window's spool may then go.
         */
        public void finish(Spool window) throws IOException {
            SpoolManifest source = window.manifest();
            if (peeked && outs.entrySet().stream().anyMatch(e -> !e.getValue().writes()
                    && !e.getValue().isUnchanged(published.get(e.getKey())))) {
                splitAgain(window);
                commit(source.window(), source.completedAt());
                return;
            }
            Map<LocalDate, SplitDay> changed = new LinkedHashMap<>();
            for (Map.Entry<LocalDate, SplitDay> e : outs.entrySet()) {
                SplitDay out = e.getValue();
                if (!out.writes() && !out.isUnchanged(published.get(e.getKey()))) {
                    changed.put(e.getKey(), new SplitDay(spools.get(e.getKey()), true));
                }
            }
            if (!changed.isEmpty()) {
                log.info("{}: {} published day(s) changed: {}; splitting them from the window's spool",
                        window.dir().getFileName(), changed.size(), changed.keySet());
                try {
                    pass(window.openLines(), changed, window.dir(), false);
                } catch (IOException | RuntimeException e) {
                    changed.values().forEach(SplitDay::closeQuietly);
                    throw e;
                }
                for (Map.Entry<LocalDate, SplitDay> e : changed.entrySet()) {
                    SplitDay before = outs.put(e.getKey(), e.getValue());
                    if (!before.contentHash().equals(e.getValue().contentHash())
                            || before.unpublishable() != e.getValue().unpublishable()) {
                        throw new IOException(window.dir().getFileName() + ": " + e.getKey()
                                + " split from the spool differs from the body received");
                    }
                }
            }
            commit(source.window(), source.completedAt());
        }

        /**
         * A held-back day differs from what was published, and lines were only hashed: one of them may be
         * malformed, which a parse would have sent to the first day's spool, so no day's split is trusted.
         * Every day is split again from the window's complete spool, each line parsed, every day written; the
         * held-back days found unchanged then are held back after all (their bodies are not kept).
         */
        private void splitAgain(Spool window) throws IOException {
            log.info("{}: a published day changed; splitting the window again from its spool", window.dir().getFileName());
            abort();
            Map<LocalDate, SplitDay> again = new LinkedHashMap<>();
            try {
                for (Map.Entry<LocalDate, Spool> e : spools.entrySet()) {
                    again.put(e.getKey(), new SplitDay(e.getValue(), true));
                }
                pass(window.openLines(), again, window.dir(), false);
            } catch (IOException | RuntimeException e) {
                again.values().forEach(SplitDay::closeQuietly);
                throw e;
            }
            for (Map.Entry<LocalDate, SplitDay> e : again.entrySet()) {
                String before = published.get(e.getKey());
                if (before != null && e.getValue().isUnchanged(before)) {
                    e.getValue().omit();
                }
            }
            outs.clear();
            outs.putAll(again);
        }

        /** Ends and commits every day's spool, each manifest saying {@code window} and {@code completedAt}. */
        private void commit(String window, Instant completedAt) throws IOException {
            for (SplitDay out : outs.values()) {
                out.close();
            }
            for (SplitDay out : outs.values()) {
                out.commit(window, completedAt);
            }
        }

        /** Stops: the day spools stay incomplete (the window is split again). */
        public void abort() {
            outs.values().forEach(SplitDay::closeQuietly);
        }

        /**
         * Routes every line of {@code decoded} to its day in {@code to}; lines of days not in it are skipped.
         *
         * @param oversizeDir where a line too long to hold in memory is streamed to (its source spool's folder)
         * @param peek whether a line whose day can be read without parsing it is only hashed, not parsed
         */
        private void pass(InputStream decoded, Map<LocalDate, SplitDay> to, Path oversizeDir, boolean peek)
                throws IOException {
            MixpanelEventParser parser = new MixpanelEventParser(zone, timeInMs);
            EventDayPeek peeker = peek ? new EventDayPeek(zone, timeInMs) : null;
            long[] settled = heldBack;
            try (SpoolLineReader lines = new SpoolLineReader(decoded, 0, 1, SpoolLineReader.BATCH_BYTES,
                    SpoolLineReader.MAX_LINE_BYTES, b -> b.parse(parser, peeker, d -> contains(settled, d)), oversizeDir)) {
                SplitDay rejects = to.get(first);
                SplitDay[] byDay = new SplitDay[inWindow.length];
                to.forEach((day, out) -> byDay[(int) (day.toEpochDay() - firstEpochDay)] = out);
                for (LineBatch batch = lines.next(); batch != null && !batch.isEnd(); batch = lines.next()) {
                    for (int i = 0; i < batch.size(); i++) {
                        route(batch, i, byDay, rejects, oversizeDir);
                    }
                    lines.recycle(batch);
                }
            }
        }

        /**
         * Sends line {@code i} of {@code batch} to its day's spool in {@code byDay} (none: skipped), or to
         * {@code rejects}. A method of its own, called per line, so that the JIT compiles it after a few hundred
         * lines rather than the whole loop after some 180,000 (a window's first lines ran interpreted).
         */
        private void route(LineBatch batch, int i, SplitDay[] byDay, SplitDay rejects, Path oversizeDir) throws IOException {
            int length = batch.length(i);
            if (length == LineBatch.OVERSIZED) {
                Path line = SpoolLineReader.oversizedLine(oversizeDir, batch.lineNumber(i));
                if (rejects != null) {
                    rejects.writeUnpublishable(line);
                }
                Files.delete(line);
                log.warn("{}: line {} is longer than {} MiB; it goes to {}'s spool to be rejected and kept",
                        oversizeDir.getFileName(), batch.lineNumber(i), SpoolLineReader.MAX_LINE_BYTES >> 20, first);
                return;
            }
            long offset = batch.error(i) == null ? batch.epochDay(i) - firstEpochDay : -1;
            peeked |= batch.isPeeked(i);
            if (offset >= 0 && offset < inWindow.length && inWindow[(int) offset]) {
                SplitDay out = byDay[(int) offset];
                if (out != null) {
                    out.writePublishable(batch.buffer(), batch.start(i), length, batch.hash(i), !batch.isPeeked(i));
                }
            } else if (rejects != null) { // malformed, or a day outside the window
                rejects.writeUnpublishable(batch.buffer(), batch.start(i), length);
            }
        }

        private static boolean contains(long[] days, long day) {
            for (long d : days) {
                if (d == day) {
                    return true;
                }
            }
            return false;
        }

        /**
         * For a body that is {@code day}'s own request (nothing to split: its spool is the body as sent), once it
         * was {@linkplain #read read} whole: {@code source} (that spool's manifest) with the content hash the
         * day's conversion would publish and the count of lines it would reject.
         */
        public SpoolManifest measured(LocalDate day, SpoolManifest source) {
            SplitDay out = outs.get(day);
            return new SpoolManifest(source.window(), source.encoding(), source.bodyBytes(), source.lines(),
                    source.decodedBytes(), source.completedAt(), out.measured() ? out.contentHash() : null,
                    out.measured() ? out.unpublishable() : null);
        }
    }
}
