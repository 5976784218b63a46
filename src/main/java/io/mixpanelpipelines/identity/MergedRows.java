package io.mixpanelpipelines.identity;

import io.mixpanelpipelines.identity.DayIdentities.Held;
import io.mixpanelpipelines.identity.DayIdentities.Mapping;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The k-way merge of sorted runs of candidates (files of {@link SpillRun}, one holding twins read as two runs:
 * its candidates, and its twins' {@code $device:} ids; and what memory holds, sorted), each with at most one
 * candidate per {@code distinct_id}: yields one row per {@code distinct_id} in ascending order of its UTF-8
 * bytes (unsigned: the order of code points, and Parquet's for binary values), the
 * {@linkplain IdOrder#earlier earliest} of its candidates.
 *
 * <p>Rows are merged as bytes: {@link #advance} moves to the next row and leaves it in buffers that the next
 * call reuses, so a day's rows are written without a string or an object per row; {@link #next} makes a
 * {@link Mapping} of it. The sources form a binary heap whose top is replaced as it moves on (one sift per
 * candidate). Reading a run fails with an {@link UncheckedIOException}. Holds one buffered reader per run
 * file. Not thread-safe.
 */
final class MergedRows implements DayIdentities.Rows {

    /** A sorted source: its current candidate in buffers of its own, and how to move on. */
    private abstract static class Source {
        byte[] id = new byte[64];
        int idLength;
        /** {@link IdOrder#prefix} of the id: the heap compares it first. */
        long prefix;
        byte[] resolved = new byte[64];
        int resolvedLength;
        long time;

        /** Moves to the next candidate (its {@link #prefix} too); false past the last. */
        abstract boolean advance() throws IOException;

        void close() throws IOException {
        }
    }

    private static final class FileSource extends Source {
        private final SpillRun.Reader reader;

        FileSource(Path file, boolean twins) throws IOException {
            reader = new SpillRun.Reader(file, twins);
        }

        @Override
        boolean advance() throws IOException {
            if (!reader.advance()) {
                return false;
            }
            id = reader.id();
            idLength = reader.idLength();
            prefix = IdOrder.prefix(id, idLength);
            resolved = reader.resolved();
            resolvedLength = reader.resolvedLength();
            time = reader.time();
            return true;
        }

        @Override
        void close() throws IOException {
            reader.close();
        }
    }

    /** Memory's candidates, sorted, or their twins' {@code $device:} ids. */
    private static final class MemorySource extends Source {
        private final List<Held> sorted;
        private final boolean twins;
        private int next;

        MemorySource(List<Held> sorted, boolean twins) {
            this.sorted = sorted;
            this.twins = twins;
        }

        @Override
        boolean advance() {
            while (next < sorted.size()) {
                Held h = sorted.get(next++);
                if (twins && !h.twin) {
                    continue;
                }
                int head = twins ? SpillRun.DEVICE_PREFIX.length : 0;
                idLength = head + h.idUtf8.length;
                id = fit(id, idLength);
                System.arraycopy(SpillRun.DEVICE_PREFIX, 0, id, 0, head);
                System.arraycopy(h.idUtf8, 0, id, head, h.idUtf8.length);
                prefix = twins ? IdOrder.prefix(id, idLength) : h.prefix;
                byte[] r = h.resolved.getBytes(StandardCharsets.UTF_8);
                resolved = r;
                resolvedLength = r.length;
                time = h.time;
                return true;
            }
            return false;
        }
    }

    private final List<Source> sources = new ArrayList<>();
    /** The sources with a candidate left, a binary min-heap on their candidate's id. */
    private final Source[] heap;
    private int size;
    private byte[] id = new byte[64];
    private int idLength;
    private byte[] resolved = new byte[64];
    private int resolvedLength;
    private long time;
    /** Whether {@link #hasNext} moved to a row that {@link #next} has not returned yet. */
    private boolean ahead;
    private boolean ended;

    /**
     * @param files runs written by {@link SpillRun}
     * @param withTwins those of them holding twins: read twice, for their candidates and their twins' {@code $device:} ids
     * @param memory what memory holds, in ascending order of {@code distinct_id}'s UTF-8 bytes (read for its
     *     candidates and for its twins); null for none
     */
    MergedRows(List<Path> files, java.util.Set<Path> withTwins, List<Held> memory) throws IOException {
        try {
            for (Path f : files) {
                sources.add(new FileSource(f, false));
                if (withTwins.contains(f)) {
                    sources.add(new FileSource(f, true));
                }
            }
            if (memory != null) {
                sources.add(new MemorySource(memory, false));
                sources.add(new MemorySource(memory, true));
            }
            heap = new Source[sources.size()];
            for (Source s : sources) {
                if (s.advance()) {
                    heap[size++] = s;
                }
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        for (int i = size / 2 - 1; i >= 0; i--) {
            siftDown(i);
        }
    }

    /**
     * Moves to the next row (the earliest candidate of the smallest {@code distinct_id} left, every source
     * moved past that id); false past the last. The row's bytes stay valid until the next call.
     */
    @Override
    public boolean advance() {
        if (ahead) {
            ahead = false;
            return true;
        }
        if (size == 0) {
            ended = true;
            return false;
        }
        try {
            Source top = heap[0];
            take(top);
            step();
            while (size > 0 && Arrays.equals(heap[0].id, 0, heap[0].idLength, id, 0, idLength)) {
                Source o = heap[0];
                if (IdOrder.earlier(o.resolved, o.resolvedLength, o.time, resolved, resolvedLength, time)) {
                    take(o);
                }
                step();
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies {@code s}'s candidate as the current row. */
    private void take(Source s) {
        idLength = s.idLength;
        id = fit(id, idLength);
        System.arraycopy(s.id, 0, id, 0, idLength);
        resolvedLength = s.resolvedLength;
        resolved = fit(resolved, resolvedLength);
        System.arraycopy(s.resolved, 0, resolved, 0, resolvedLength);
        time = s.time;
    }

    /** Moves the top source on: it sinks to its place, or leaves the heap when it has no candidate left. */
    private void step() throws IOException {
        if (!heap[0].advance()) {
            heap[0] = heap[--size];
            heap[size] = null;
        }
        if (size > 0) {
            siftDown(0);
        }
    }

    private void siftDown(int i) {
        Source s = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            Source c = heap[child];
            int right = child + 1;
            if (right < size && less(heap[right], c)) {
                child = right;
                c = heap[child];
            }
            if (!less(c, s)) {
                break;
            }
            heap[i] = c;
            i = child;
        }
        heap[i] = s;
    }

    private static boolean less(Source a, Source b) {
        return a.prefix != b.prefix ? Long.compareUnsigned(a.prefix, b.prefix) < 0
                : IdOrder.compare(a.id, a.idLength, b.id, b.idLength) < 0;
    }

    static byte[] fit(byte[] buffer, int length) {
        return buffer.length >= length ? buffer : new byte[Math.max(length, buffer.length * 2)];
    }

    @Override
    public byte[] idBytes() {
        return id;
    }

    @Override
    public int idLength() {
        return idLength;
    }

    @Override
    public byte[] resolvedBytes() {
        return resolved;
    }

    @Override
    public int resolvedLength() {
        return resolvedLength;
    }

    @Override
    public long firstSeenMicros() {
        return time;
    }

    @Override
    public boolean hasNext() {
        if (!ahead && !ended) {
            ahead = advance();
        }
        return ahead;
    }

    @Override
    public Mapping next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        ahead = false;
        return new Mapping(new String(id, 0, idLength, StandardCharsets.UTF_8),
                new String(resolved, 0, resolvedLength, StandardCharsets.UTF_8), time);
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
        size = 0;
        ended = true;
        ahead = false;
        if (failed != null) {
            throw failed;
        }
    }
}
