package io.mixpanelpipelines.identity;

import io.mixpanelpipelines.identity.DayIdentities.Mapping;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * One sorted run of a day's candidates spilled to a local file by {@link DayIdentities}: a magic header, then
 * per candidate, in {@code distinct_id} order and at most one per id, the {@code distinct_id} and the resolved
 * id as length-prefixed UTF-8 (the length a variable-length unsigned int) and the time in microseconds (8
 * bytes, big-endian). Ids are well-formed text (the parser and DuckDB decode invalid UTF-8 and lone surrogates
 * to U+FFFD, as the Parquet file stores them), so UTF-8 gives them back exactly. A file without the header of
 * this version, or cut short, is refused rather than read as a run. Not thread-safe.
 */
final class SpillRun {

    private static final byte[] MAGIC = "mp-idrun1\n".getBytes(StandardCharsets.US_ASCII);
    /** Per open run: the merge of a day holds at most {@link DayIdentities#FAN_IN} + a few runs open at once. */
    private static final int BUFFER = 1 << 15;

    private SpillRun() {
    }

    /** Writes {@code sorted} (ascending {@code distinct_id}, one per id) to a new file {@code file}; returns its row count. */
    static long write(Path file, Iterator<Mapping> sorted) throws IOException {
        long rows = 0;
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), BUFFER))) {
            out.write(MAGIC);
            while (sorted.hasNext()) {
                Mapping m = sorted.next();
                writeText(out, m.distinctId());
                writeText(out, m.resolvedDistinctId());
                out.writeLong(m.firstSeenMicros());
                rows++;
            }
        }
        return rows;
    }

    private static void writeText(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int n = b.length;
        while ((n & ~0x7f) != 0) {
            out.write((n & 0x7f) | 0x80);
            n >>>= 7;
        }
        out.write(n);
        out.write(b);
    }

    /** Reads a run back, one candidate at a time. */
    static final class Reader implements Closeable {

        private final Path file;
        private final DataInputStream in;
        private Mapping head;

        Reader(Path file) throws IOException {
            this.file = file;
            this.in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), BUFFER));
            try {
                byte[] magic = new byte[MAGIC.length];
                in.readFully(magic);
                if (!java.util.Arrays.equals(magic, MAGIC)) {
                    throw new IOException(file + " is not an identity spill run");
                }
                advance();
            } catch (IOException | RuntimeException e) {
                in.close();
                throw e;
            }
        }

        /** The candidate at the reader's position; null past the last. */
        Mapping head() {
            return head;
        }

        /** Moves to the next candidate; returns false past the last. */
        boolean advance() throws IOException {
            int first = in.read();
            if (first < 0) {
                head = null;
                return false;
            }
            try {
                String id = readText(first);
                String resolved = readText(in.readUnsignedByte());
                head = new Mapping(id, resolved, in.readLong());
                return true;
            } catch (EOFException e) {
                throw new IOException(file + " ends in the middle of a candidate", e);
            }
        }

        private String readText(int firstByte) throws IOException {
            int n = 0;
            int shift = 0;
            int b = firstByte;
            while ((b & 0x80) != 0) {
                n |= (b & 0x7f) << shift;
                shift += 7;
                if (shift > 28) {
                    throw new IOException(file + " has a malformed length");
                }
                b = in.readUnsignedByte();
            }
            n |= b << shift;
            byte[] bytes = new byte[n];
            in.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
