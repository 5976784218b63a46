package io.mixpanelpipelines.identity;

import io.mixpanelpipelines.identity.DayIdentities.Mapping;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/**
 * The k-way merge of sorted runs of candidates (files of {@link SpillRun}, one holding twins read as two runs:
 * its candidates, and its twins' {@code $device:} ids; and sorted lists in memory), each with at most one candidate per {@code distinct_id}: yields one row per {@code distinct_id} in
 * ascending order, the {@linkplain DayIdentities#earlier earliest} of its candidates. Reading a run fails with
 * an {@link UncheckedIOException}. Holds one buffered reader per run file. Not thread-safe.
 */
final class MergedRows implements DayIdentities.Rows {

    /** A sorted source: its current candidate, and how to move on. */
    private abstract static class Source {
        Mapping head;

        abstract void advance() throws IOException;

        void close() throws IOException {
        }
    }

    private static final class FileSource extends Source {
        private final SpillRun.Reader reader;

        FileSource(Path file, boolean twins) throws IOException {
            reader = new SpillRun.Reader(file, twins);
            head = reader.head();
        }

        @Override
        void advance() throws IOException {
            reader.advance();
            head = reader.head();
        }

        @Override
        void close() throws IOException {
            reader.close();
        }
    }

    private static final class MemorySource extends Source {
        private final Iterator<Mapping> it;

        MemorySource(Iterator<Mapping> it) {
            this.it = it;
            advance();
        }

        @Override
        void advance() {
            head = it.hasNext() ? it.next() : null;
        }
    }

    private final List<Source> sources = new ArrayList<>();
    private final PriorityQueue<Source> queue = new PriorityQueue<>((a, b) -> a.head.distinctId().compareTo(b.head.distinctId()));
    private Mapping next;

    /**
     * @param files runs written by {@link SpillRun}
     * @param withTwins those of them holding twins: read twice, for their candidates and their twins' {@code $device:} ids
     * @param memory sorted lists of candidates, each in ascending {@code distinct_id} order with one per id
     */
    MergedRows(List<Path> files, java.util.Set<Path> withTwins, List<Iterator<Mapping>> memory) throws IOException {
        try {
            for (Path f : files) {
                sources.add(new FileSource(f, false));
                if (withTwins.contains(f)) {
                    sources.add(new FileSource(f, true));
                }
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        for (Iterator<Mapping> m : memory) {
            sources.add(new MemorySource(m));
        }
        for (Source s : sources) {
            if (s.head != null) {
                queue.add(s);
            }
        }
    }

    @Override
    public boolean hasNext() {
        if (next == null && !queue.isEmpty()) {
            next = take();
        }
        return next != null;
    }

    @Override
    public Mapping next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Mapping m = next;
        next = null;
        return m;
    }

    /** The earliest candidate of the smallest {@code distinct_id} left, every source moved past that id. */
    private Mapping take() {
        try {
            Source s = queue.poll();
            Mapping best = s.head;
            step(s);
            while (!queue.isEmpty() && queue.peek().head.distinctId().equals(best.distinctId())) {
                Source o = queue.poll();
                if (DayIdentities.earlier(o.head, best)) {
                    best = o.head;
                }
                step(o);
            }
            return best;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void step(Source s) throws IOException {
        s.advance();
        if (s.head != null) {
            queue.add(s);
        }
    }

    @Override
    public void close() throws IOException {
        IOException failed = null;
        for (Source s : sources) {
            try {
                s.close();
            } catch (IOException e) {
                failed = failed == null ? e : failed;
            }
        }
        sources.clear();
        queue.clear();
        next = null;
        if (failed != null) {
            throw failed;
        }
    }
}
