package io.mixpanelpipelines.simulator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The simulated project's data: a fixed number of events per day (or a day's own number), served in a
 * shuffled but reproducible order. Nothing is stored; every line is regenerated on demand. Immutable;
 * thread-safe.
 */
final class SimulatedProject {

    private static final long SHUFFLE_SALT = 0x5_4ff1e;

    private final long seed;
    private final long eventsPerDay;
    private final Map<LocalDate, Long> eventsOn;
    private final EventGenerator generator;

    SimulatedProject(long seed, long eventsPerDay, Map<LocalDate, Long> eventsOn, EventGenerator generator) {
        this.seed = seed;
        this.eventsPerDay = eventsPerDay;
        this.eventsOn = Map.copyOf(eventsOn);
        this.generator = generator;
    }

    /** How many events {@code day} holds. */
    long events(LocalDate day) {
        return eventsOn.getOrDefault(day, eventsPerDay);
    }

    /** Receives lines as UTF-8 bytes, without the newline. */
    @FunctionalInterface
    interface LineSink {
        void accept(byte[] line) throws IOException;
    }

    /** How many events the days {@code from..to} hold before filtering. */
    long positions(LocalDate from, LocalDate to) {
        long positions = 0;
        for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
            positions += events(day);
        }
        return positions;
    }

    /**
     * Streams the events matching {@code query}, day by day, each day in its shuffled order, stopping
     * after {@code stopAt} events have been considered (filtered or not) or {@code query.limit()} sent.
     */
    void forEach(ExportQuery query, long stopAt, LineSink sink) throws IOException {
        StringBuilder sb = new StringBuilder(4096);
        long considered = 0;
        long sent = 0;
        for (LocalDate day = query.from(); !day.isAfter(query.to()); day = day.plusDays(1)) {
            long events = events(day);
            if (events == 0) {
                continue;
            }
            IndexPermutation order = order(day, events);
            for (long position = 0; position < events; position++) {
                if (considered++ >= stopAt || sent >= query.limit()) {
                    return;
                }
                long index = order.indexAt(position);
                if (query.filters() && !query.accepts(generator.header(day, index))) {
                    continue;
                }
                sb.setLength(0);
                generator.appendLine(sb, day, index, query.timeInMs());
                sink.accept(sb.toString().getBytes(StandardCharsets.UTF_8));
                sent++;
            }
        }
    }

    /** Every line of {@code day}, in the order served, without newlines. */
    List<String> lines(LocalDate day, boolean timeInMs) {
        long events = events(day);
        if (events > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("too many events on " + day + " to list: " + events);
        }
        List<String> lines = new ArrayList<>((int) events);
        if (events == 0) {
            return lines;
        }
        IndexPermutation order = order(day, events);
        for (long position = 0; position < events; position++) {
            lines.add(generator.line(day, order.indexAt(position), timeInMs));
        }
        return lines;
    }

    private IndexPermutation order(LocalDate day, long events) {
        return new IndexPermutation(events, EventRandom.seedOf(seed, day.toEpochDay(), SHUFFLE_SALT));
    }
}
