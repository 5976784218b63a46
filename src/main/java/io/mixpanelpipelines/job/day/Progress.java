package io.mixpanelpipelines.job.day;

import java.io.PrintStream;
import java.time.LocalDate;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Live progress of the days being converted (events, MB, events/s per day). Printed to stderr once a
 * second when a terminal is attached, so it never mixes with output that is piped. Thread-safe.
 */
public final class Progress implements AutoCloseable {

    private final Map<LocalDate, Day> days = new ConcurrentSkipListMap<>();
    private final ScheduledExecutorService ticker;
    private final PrintStream out;

    private Progress(PrintStream out, boolean live) {
        this.out = out;
        if (live) {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "progress");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleAtFixedRate(this::print, 1, 1, TimeUnit.SECONDS);
        } else {
            ticker = null;
        }
    }

    /** Live on a terminal, silent otherwise. */
    public static Progress forConsole() {
        return new Progress(System.err, System.console() != null);
    }

    public static Progress silent() {
        return new Progress(System.err, false);
    }

    public void add(LocalDate day, long events, long bytes) {
        Day d = days.computeIfAbsent(day, k -> new Day());
        d.events.addAndGet(events);
        d.bytes.addAndGet(bytes);
    }

    public void done(LocalDate day) {
        Day d = days.get(day);
        if (d != null) {
            d.finished = true;
        }
    }

    private void print() {
        StringBuilder sb = new StringBuilder("\r");
        for (Map.Entry<LocalDate, Day> e : days.entrySet()) {
            Day d = e.getValue();
            if (d.finished) {
                continue;
            }
            double seconds = Math.max(0.001, (System.nanoTime() - d.startNanos) / 1e9);
            sb.append(String.format("%s: %,d events %.1f MB %,.0f ev/s  ", e.getKey(), d.events.get(),
                    d.bytes.get() / 1e6, d.events.get() / seconds));
        }
        if (sb.length() > 1) {
            out.print(sb.append("\u001b[K"));
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

    private static final class Day {
        final long startNanos = System.nanoTime();
        final AtomicLong events = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        volatile boolean finished;
    }
}
