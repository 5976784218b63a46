package io.mixpanelpipelines.identity;

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
 * {@link Mapping} of it. The sources are the leaves of a tree of losers (one replay of log2(sources) matches
 * per candidate). Reading a run fails with an {@link UncheckedIOException}. Holds one buffered reader per run
 * file. Not thread-safe.
 */
final class MergedRows implements DayIdentities.Rows {

    /** A sorted source: its current candidate in buffers of its own, and how to move on. */
    private abstract static class Source {
        byte[] id = new byte[64];
        int idLength;
        /** {@link IdOrder#prefix} of the id: compared first. */
        long prefix;
        /**
         * The id's next 8 bytes, zero-padded: compared second ({@code $device:} ids share their first 8 bytes, so
         * their prefixes tie). As for the prefix, ids whose first 16 bytes differ compare as these two numbers do.
         */
        long next8;
        byte[] resolved = new byte[64];
        int resolvedLength;
        long time;

        /** Whether the source has no candidate left. */
        boolean done;

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
            next8 = idLength > 8 ? IdOrder.prefix(id, 8, idLength - 8) : 0;
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
        private final HeldTable held;
        private final int[] sorted;
        private final boolean twins;
        private int next;

        MemorySource(HeldTable held, int[] sorted, boolean twins) {
            this.held = held;
            this.sorted = sorted;
            this.twins = twins;
        }

        @Override
        boolean advance() {
            while (next < held.size()) {
                int e = sorted[next++];
                if (twins && !held.twin(e)) {
                    continue;
                }
                int head = twins ? SpillRun.DEVICE_PREFIX.length : 0;
                int n = held.idLength(e);
                idLength = head + n;
                id = fit(id, idLength);
                System.arraycopy(SpillRun.DEVICE_PREFIX, 0, id, 0, head);
                System.arraycopy(held.bytes(), held.idAt(e), id, head, n);
                prefix = twins ? IdOrder.prefix(id, idLength) : held.prefix(e);
                next8 = idLength > 8 ? IdOrder.prefix(id, 8, idLength - 8) : 0;
                resolvedLength = held.resolvedLength(e);
                resolved = fit(resolved, resolvedLength);
                System.arraycopy(held.bytes(), held.resolvedAt(e), resolved, 0, resolvedLength);
                time = held.time(e);
                return true;
            }
            return false;
        }
    }

    private final List<Source> sources = new ArrayList<>();
    /** The sources, the leaves of {@link #tree}. */
    private final Source[] leaves;
    /**
     * A tree of losers over the leaves: node {@code n} (1 to k-1) holds the source that lost the match between
     * its children's winners ({@code 2n} and {@code 2n+1}; leaf {@code i} is node {@code k+i}), {@code tree[0]}
     * the overall winner: the source with the smallest id. A source that moves on replays only the matches on its
     * way to the root: log2(k) comparisons, where a binary heap takes about two per level.
     */
    private final int[] tree;
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
     * @param memory what memory holds, read sorted by {@code distinct_id}'s UTF-8 bytes, for its candidates and
     *     for its twins (unchanged until these rows are closed); null for none
     */
    MergedRows(List<Path> files, java.util.Set<Path> withTwins, HeldTable memory) throws IOException {
        try {
            for (Path f : files) {
                sources.add(new FileSource(f, false));
                if (withTwins.contains(f)) {
                    sources.add(new FileSource(f, true));
                }
            }
            if (memory != null) {
                int[] sorted = memory.sorted();
                sources.add(new MemorySource(memory, sorted, false));
                sources.add(new MemorySource(memory, sorted, true));
            }
            leaves = sources.toArray(new Source[0]);
            for (Source s : leaves) {
                s.done = !s.advance();
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        tree = new int[Math.max(1, leaves.length)];
        int k = leaves.length;
        int[] winners = new int[2 * k];
        for (int i = 0; i < k; i++) {
            winners[k + i] = i;
        }
        for (int n = k - 1; n >= 1; n--) {
            int a = winners[2 * n];
            int b = winners[2 * n + 1];
            boolean aWins = less(a, b);
            winners[n] = aWins ? a : b;
            tree[n] = aWins ? b : a;
        }
        tree[0] = k > 1 ? winners[1] : 0;
    }

    /** Whether no source has a candidate left. */
    private boolean exhausted() {
        return leaves.length == 0 || leaves[tree[0]].done;
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
        if (ended || exhausted()) {
            ended = true;
            return false;
        }
        try {
            take(leaves[tree[0]]);
            step();
            while (!exhausted() && Arrays.equals(leaves[tree[0]].id, 0, leaves[tree[0]].idLength, id, 0, idLength)) {
                Source o = leaves[tree[0]];
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

    /** Moves the winning source on, and replays its matches up to the root. */
    private void step() throws IOException {
        int w = tree[0];
        leaves[w].done = !leaves[w].advance();
        for (int n = (w + leaves.length) >>> 1; n >= 1; n >>>= 1) {
            if (less(tree[n], w)) {
                int loser = w;
                w = tree[n];
                tree[n] = loser;
            }
        }
        tree[0] = w;
    }

    /** Whether source {@code a}'s candidate comes before {@code b}'s: a source with none left comes last. */
    private boolean less(int a, int b) {
        Source x = leaves[a];
        Source y = leaves[b];
        return !x.done && (y.done || less(x, y));
    }

    private static boolean less(Source a, Source b) {
        return a.prefix != b.prefix ? Long.compareUnsigned(a.prefix, b.prefix) < 0
                : a.next8 != b.next8 ? Long.compareUnsigned(a.next8, b.next8) < 0
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
        ended = true;
        ahead = false;
        if (failed != null) {
            throw failed;
        }
    }
}
