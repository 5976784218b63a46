package io.mixpanelpipelines.job;

import io.mixpanelpipelines.source.BodySink;
import io.mixpanelpipelines.source.SpoolManifest;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Live progress of the multi-day downloads of step 1 (MB received and MB/s per request window), on stderr
 * every {@link #PERIOD} while a terminal is attached and nothing otherwise, like the conversion's
 * {@link io.mixpanelpipelines.job.day.Progress} (the two never print at once: step 1 ends before the day
 * steps start). The bytes counted are the decoded body (what the spool holds), counted again from zero
 * when an attempt starts over. Thread-safe: step 1's partitions download concurrently.
 */
public final class DownloadProgress implements AutoCloseable {

    /** How often the line is redrawn: often enough to show life, rarely enough to cost nothing. */
    static final Duration PERIOD = Duration.ofSeconds(2);

    private final Map<String, Download> downloads = new ConcurrentSkipListMap<>();
    private final PrintStream out;
    private final LongSupplier nanoTime;
    private final ScheduledExecutorService ticker;

    DownloadProgress(PrintStream out, boolean live, LongSupplier nanoTime) {
        this.out = out;
        this.nanoTime = nanoTime;
        if (live) {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "download-progress");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleAtFixedRate(this::print, PERIOD.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
        } else {
            ticker = null;
        }
    }

    /** Live when stderr is a terminal, silent otherwise (piped or redirected output gets the INFO log lines). */
    public static DownloadProgress forConsole() {
        return new DownloadProgress(System.err, System.console() != null, System::nanoTime);
    }

    /**
     * A sink that counts one window's body while it downloads; closing it (or the body completing or
     * being abandoned) takes the window off the line.
     */
    public Tracker track(String window) {
        return new Tracker(window);
    }

    /** The current line: every window downloading, or empty when none is. */
    String line() {
        StringBuilder sb = new StringBuilder();
        long now = nanoTime.getAsLong();
        for (Map.Entry<String, Download> e : downloads.entrySet()) {
            Download d = e.getValue();
            if (sb.length() > 0) {
                sb.append("  ");
            }
            sb.append(format(e.getKey(), d.bytes.get(), Duration.ofNanos(now - d.startNanos)));
        }
        return sb.toString();
    }

    /** One window's progress: {@code downloading 2026-01-01..2026-01-31: 12.3 MB, 4.1 MB/s} (1 MB = 10^6 bytes). */
    static String format(String window, long bytes, Duration elapsed) {
        double seconds = Math.max(0.001, elapsed.toNanos() / 1e9);
        return String.format(java.util.Locale.ROOT, "downloading %s: %.1f MB, %.1f MB/s", window, bytes / 1e6,
                bytes / 1e6 / seconds);
    }

    private void print() {
        String line = line();
        if (!line.isEmpty()) {
            out.print("\r" + line + "\u001b[K");
            out.flush();
        }
    }

    @Override
    public void close() {
        if (ticker != null) {
            ticker.shutdownNow();
            out.print("\r\u001b[K");
            out.flush();
        }
    }

    private static final class Download {
        final long startNanos;
        final AtomicLong bytes = new AtomicLong();

        Download(long startNanos) {
            this.startNanos = startNanos;
        }
    }

    /** Counts a window's decoded body; never throws, never slows the download (see {@link BodySink}). */
    public final class Tracker implements BodySink, AutoCloseable {
        private final String window;

        private Tracker(String window) {
            this.window = window;
        }

        @Override
        public void begin() {
            // a new attempt: its rate counts from its own start
            downloads.put(window, new Download(nanoTime.getAsLong()));
        }

        @Override
        public void write(byte[] b, int off, int len) {
            Download d = downloads.get(window);
            if (d != null) {
                d.bytes.addAndGet(len);
            }
        }

        @Override
        public void complete(SpoolManifest manifest) {
            downloads.remove(window);
        }

        @Override
        public void abandon(String reason) {
            downloads.remove(window);
        }

        @Override
        public void close() {
            downloads.remove(window);
        }
    }
}
