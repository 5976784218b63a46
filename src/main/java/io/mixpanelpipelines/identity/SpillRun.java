package io.mixpanelpipelines.identity;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One sorted run of a day's candidates spilled to a local file by {@link DayIdentities}: a magic header, then
 * per candidate, in {@code distinct_id} order and at most one per id, the {@code distinct_id} and the resolved
 * id as length-prefixed UTF-8 (the length a variable-length unsigned int; the id's is doubled, plus one for a
 * {@linkplain HeldTable#twin twin}) and the time in microseconds (8 bytes, big-endian). A run holding
 * twins is read as two sorted runs: its candidates, and its twins as their {@code $device:} ids. Ids are
 * well-formed text (the parser and DuckDB decode invalid UTF-8 and lone surrogates to U+FFFD, as the Parquet
 * file stores them), so UTF-8 gives them back exactly. A file without the header of this version, or cut
 * short, is refused rather than read as a run. Not thread-safe.
 */
final class SpillRun {

    private static final byte[] MAGIC = "mp-idrun2\n".getBytes(StandardCharsets.US_ASCII);
    /** Per open run: the merge of a day holds at most {@link DayIdentities#FAN_IN} + a few runs open at once. */
    private static final int BUFFER = 1 << 14;

    private SpillRun() {
    }

    /** The {@code $device:} prefix in UTF-8, which a twin's id has before the device id. */
    static final byte[] DEVICE_PREFIX = IdentityRules.DEVICE_PREFIX.getBytes(StandardCharsets.UTF_8);

    /** Writes the rows of {@code sorted} (ascending {@code distinct_id}, one per id) to a new file {@code file}; returns their count. */
    static long write(Path file, DayIdentities.Rows sorted) throws IOException {
        long rows = 0;
        try (DataOutputStream out = open(file)) {
            while (sorted.advance()) {
                write(out, sorted.idBytes(), 0, sorted.idLength(), false, sorted.resolvedBytes(), 0, sorted.resolvedLength(),
                        sorted.firstSeenMicros());
                rows++;
            }
        }
        return rows;
    }

    /**
     * Writes what memory holds, sorted by {@code distinct_id}, twins marked, to a new file {@code file}; returns
     * whether it wrote a twin.
     */
    static boolean writeHeld(Path file, HeldTable held) throws IOException {
        boolean twins = false;
        int[] sorted = held.sorted();
        byte[] b = held.bytes();
        try (DataOutputStream out = open(file)) {
            for (int i = 0; i < held.size(); i++) {
                int e = sorted[i];
                write(out, b, held.idAt(e), held.idLength(e), held.twin(e), b, held.resolvedAt(e), held.resolvedLength(e),
                        held.time(e));
                twins |= held.twin(e);
            }
        }
        return twins;
    }

    private static DataOutputStream open(Path file) throws IOException {
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), BUFFER));
        out.write(MAGIC);
        return out;
    }

    private static void write(DataOutputStream out, byte[] id, int idAt, int idLength, boolean twin, byte[] resolved,
            int resolvedAt, int resolvedLength, long time) throws IOException {
        writeLength(out, ((long) idLength << 1) | (twin ? 1 : 0));
        out.write(id, idAt, idLength);
        writeLength(out, resolvedLength);
        out.write(resolved, resolvedAt, resolvedLength);
        out.writeLong(time);
    }

    private static void writeLength(DataOutputStream out, long length) throws IOException {
        long n = length;
        while ((n & ~0x7f) != 0) {
            out.write((int) ((n & 0x7f) | 0x80));
            n >>>= 7;
        }
        out.write((int) n);
    }

    /**
     * Reads a run back, one candidate at a time, into buffers it reuses. It parses a buffer of its own rather than
     * reading through a {@code DataInputStream} (a call, and a lock, per byte of a length): about 10% less time
     * to merge and stage a 3M-event day's mappings, in one side-by-side run (docs/performance.md).
     */
    static final class Reader implements Closeable {

        private final Path file;
        private final InputStream in;
        private final boolean twins;
        private final int prefix;
        private final byte[] buf = new byte[BUFFER];
        private int pos;
        private int limit;
        private byte[] id = new byte[64];
        private int idLength;
        private byte[] resolved = new byte[64];
        private int resolvedLength;
        private long time;

        /** @param twins read the twins only, as their {@code $device:} ids; else every candidate as written */
        Reader(Path file, boolean twins) throws IOException {
            this.file = file;
            this.twins = twins;
            this.prefix = twins ? DEVICE_PREFIX.length : 0;
            System.arraycopy(DEVICE_PREFIX, 0, id, 0, prefix);
            this.in = Files.newInputStream(file);
            try {
                byte[] magic = new byte[MAGIC.length];
                readFully(magic, 0, magic.length);
                if (!java.util.Arrays.equals(magic, MAGIC)) {
                    throw new IOException(file + " is not an identity spill run");
                }
            } catch (IOException | RuntimeException e) {
                in.close();
                throw e;
            }
        }

        /** The candidate's {@code distinct_id} in UTF-8: {@code id()[0..idLength())}, valid until the next {@link #advance}. */
        byte[] id() {
            return id;
        }

        int idLength() {
            return idLength;
        }

        /** The candidate's resolved id in UTF-8: {@code resolved()[0..resolvedLength())}. */
        byte[] resolved() {
            return resolved;
        }

        int resolvedLength() {
            return resolvedLength;
        }

        long time() {
            return time;
        }

        /** Moves to the next candidate (the first, at first); returns false past the last. */
        boolean advance() throws IOException {
            while (pos < limit || fill()) {
                try {
                    long idBytes = readLength();
                    boolean twin = (idBytes & 1) != 0;
                    if (twins && !twin) {
                        skip(idBytes >>> 1);
                        skip(readLength() + Long.BYTES);
                        continue;
                    }
                    int n = checked(idBytes >>> 1);
                    idLength = prefix + n;
                    if (id.length < idLength) {
                        id = java.util.Arrays.copyOf(id, Math.max(idLength, id.length * 2)); // keeps the prefix
                    }
                    readFully(id, prefix, n);
                    resolvedLength = checked(readLength());
                    resolved = MergedRows.fit(resolved, resolvedLength);
                    readFully(resolved, 0, resolvedLength);
                    time = readLong();
                    return true;
                } catch (EOFException e) {
                    throw new IOException(file + " ends in the middle of a candidate", e);
                }
            }
            return false;
        }

        /** Reads more of the file into the buffer, which is used up; false at its end. */
        private boolean fill() throws IOException {
            int n = in.read(buf, 0, buf.length);
            while (n == 0) { // a file's stream blocks until it has a byte or the end; 0 would not mean the end
                n = in.read(buf, 0, buf.length);
            }
            pos = 0;
            limit = Math.max(n, 0);
            return n > 0;
        }

        private int readByte() throws IOException {
            if (pos == limit && !fill()) {
                throw new EOFException();
            }
            return buf[pos++] & 0xFF;
        }

        private void readFully(byte[] dst, int off, int len) throws IOException {
            while (len > 0) {
                if (pos == limit && !fill()) {
                    throw new EOFException();
                }
                int n = Math.min(len, limit - pos);
                System.arraycopy(buf, pos, dst, off, n);
                pos += n;
                off += n;
                len -= n;
            }
        }

        private void skip(long bytes) throws IOException {
            long left = bytes;
            while (left > 0) {
                if (pos == limit && !fill()) {
                    throw new EOFException();
                }
                int n = (int) Math.min(left, limit - pos);
                pos += n;
                left -= n;
            }
        }

        /** 8 bytes, big-endian. */
        private long readLong() throws IOException {
            long v = 0;
            for (int i = 0; i < Long.BYTES; i++) {
                v = v << 8 | readByte();
            }
            return v;
        }

        private int checked(long length) throws IOException {
            if (length > Integer.MAX_VALUE - 16) {
                throw new IOException(file + " has a malformed length");
            }
            return (int) length;
        }

        private long readLength() throws IOException {
            long n = 0;
            int shift = 0;
            int b = readByte();
            while ((b & 0x80) != 0) {
                n |= (long) (b & 0x7f) << shift;
                shift += 7;
                if (shift > 35) {
                    throw new IOException(file + " has a malformed length");
                }
                b = readByte();
            }
            return n | (long) b << shift;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
