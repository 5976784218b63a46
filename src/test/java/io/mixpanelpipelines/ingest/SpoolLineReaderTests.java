package io.mixpanelpipelines.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolLineReaderTests {

    /** A line as the reader should report it; {@code text} is null for an oversized line. */
    record Line(long number, long endOffset, String text) {
        static Line oversized(long number, long endOffset) {
            return new Line(number, endOffset, null);
        }
    }

    // --- the reference: a plain split of the whole body, written independently of the reader ---

    /** Every line of the body that the reader should hand out, from line {@code fromLine} on. */
    static List<Line> reference(byte[] body, int maxLineBytes, long fromLine) {
        List<Line> out = new ArrayList<>();
        long number = 0;
        int start = 0;
        while (start < body.length) {
            int nl = start;
            while (nl < body.length && body[nl] != '\n') {
                nl++;
            }
            number++;
            int end = nl < body.length ? nl + 1 : nl;
            byte[] raw = Arrays.copyOfRange(body, start, nl);
            start = end;
            if (number < fromLine) {
                continue;
            }
            if (raw.length > maxLineBytes) {
                out.add(Line.oversized(number, end));
                continue;
            }
            String text = new String(raw, StandardCharsets.ISO_8859_1);
            if (text.endsWith("\r")) {
                text = text.substring(0, text.length() - 1);
            }
            if (!text.replace(" ", "").replace("\t", "").isEmpty()) {
                out.add(new Line(number, end, text));
            }
        }
        return out;
    }

    /** Newline offsets: every place a reader may resume, as {offset, next line number}. */
    static List<long[]> boundaries(byte[] body) {
        List<long[]> out = new ArrayList<>();
        out.add(new long[] {0, 1});
        long line = 1;
        for (int i = 0; i < body.length; i++) {
            if (body[i] == '\n') {
                line++;
                out.add(new long[] {i + 1, line});
            }
        }
        return out;
    }

    // --- reading ---

    record Result(List<Line> lines, List<LineBatch> batches) {
    }

    static Result readAll(SpoolLineReader reader, int batchBytes, int maxLineBytes) throws IOException {
        List<Line> lines = new ArrayList<>();
        List<LineBatch> batches = new ArrayList<>();
        while (true) {
            LineBatch batch = reader.next();
            assertThat(batch).as("a batch or the end marker before null").isNotNull();
            if (batch.isEnd()) {
                assertThat(batch.size()).isZero();
                assertThat(reader.next()).as("after the end marker").isNull();
                assertThat(reader.next()).isNull();
                return new Result(lines, batches);
            }
            assertThat(batch.size()).as("no empty batch before the end").isPositive();
            batches.add(batch);
            long keptBeforeLast = 0;
            for (int i = 0; i < batch.size(); i++) {
                int length = batch.length(i);
                if (length == LineBatch.OVERSIZED) {
                    lines.add(Line.oversized(batch.lineNumber(i), batch.endOffset(i)));
                } else {
                    assertThat(length).isBetween(0, maxLineBytes);
                    lines.add(new Line(batch.lineNumber(i), batch.endOffset(i),
                            new String(batch.buffer(), batch.start(i), length, StandardCharsets.ISO_8859_1)));
                    if (i < batch.size() - 1) {
                        keptBeforeLast += length;
                    }
                }
            }
            // a batch stops taking lines once it holds batchBytes: only its last line may cross the bound
            assertThat(keptBeforeLast).isLessThan(batchBytes);
            assertThat(batch.buffer().length).isLessThanOrEqualTo(2 * (batchBytes + (1 << 12) + maxLineBytes));
        }
    }

    static Result read(byte[] body, int batchBytes, int maxLineBytes) throws IOException {
        try (SpoolLineReader reader = new SpoolLineReader(new ByteArrayInputStream(body), 0, 1, batchBytes,
                maxLineBytes)) {
            return readAll(reader, batchBytes, maxLineBytes);
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    // --- tests ---

    @Test
    void findsTheFirstNewlineAtEveryPositionAndNoneInAWindowWithout() {
        Random random = new Random(3);
        for (int length = 0; length < 40; length++) {
            for (int at = -1; at < length; at++) {
                byte[] b = new byte[length + 2];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (byte) (random.nextInt(250) + 11); // never '\n' (10): bytes 11..260 wrap past it
                }
                b[0] = '\n'; // before the window
                b[b.length - 1] = '\n'; // after it
                if (at >= 0) {
                    b[1 + at] = '\n';
                    if (at + 1 < length) {
                        b[2 + at] = '\n'; // a second one: the first must win
                    }
                }
                assertThat(SpoolLineReader.indexOfNewline(b, 1, 1 + length)).as("length %d, newline at %d", length, at)
                        .isEqualTo(at < 0 ? -1 : 1 + at);
            }
        }
    }

    @Test
    void emptyBodyGivesOnlyTheEndMarker() throws IOException {
        Result r = read(new byte[0], 16, 8);

        assertThat(r.lines()).isEmpty();
        assertThat(r.batches()).isEmpty();
    }

    @Test
    void splitsLinesWithNumbersAndOffsetsJustPastTheNewline() throws IOException {
        byte[] body = bytes("{\"a\":1}\n{\"b\":22}\n{\"c\":333}\n");

        Result r = read(body, 1024, 100);

        assertThat(r.lines()).containsExactly(
                new Line(1, 8, "{\"a\":1}"),
                new Line(2, 17, "{\"b\":22}"),
                new Line(3, 27, "{\"c\":333}"));
    }

    @Test
    void lastLineWithoutNewlineEndsAtTheBodyEnd() throws IOException {
        byte[] body = bytes("one\ntwo");

        assertThat(read(body, 1024, 100).lines()).containsExactly(new Line(1, 4, "one"), new Line(2, 7, "two"));
    }

    @Test
    void crlfLosesItsCarriageReturnButOffsetsCountIt() throws IOException {
        byte[] body = bytes("one\r\ntwo\r\nthree\r");

        assertThat(read(body, 1024, 100).lines()).containsExactly(
                new Line(1, 5, "one"), new Line(2, 10, "two"), new Line(3, 16, "three"));
    }

    @Test
    void blankLinesArePassedOverButKeepTheirNumbers() throws IOException {
        byte[] body = bytes("\nA\n\n \t \r\n\r\nB\n\n");

        assertThat(read(body, 1024, 100).lines()).containsExactly(new Line(2, 3, "A"), new Line(6, 13, "B"));
    }

    @Test
    void lineExactlyAtTheLimitIsKeptOneByteOverIsOversized() throws IOException {
        String at = "x".repeat(10);
        String over = "y".repeat(11);
        byte[] body = bytes(at + "\n" + over + "\nz\n" + over);

        Result r = read(body, 4, 10);

        assertThat(r.lines()).containsExactly(
                new Line(1, 11, at),
                Line.oversized(2, 23),
                new Line(3, 25, "z"),
                Line.oversized(4, 36));
    }

    @Test
    void oversizedLinesAreNotBuffered() throws IOException {
        int huge = 5 * 1024 * 1024;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(bytes("first\n"));
        out.write(bytes("q".repeat(huge)));
        out.write('\n');
        out.write(bytes("last\n"));
        byte[] body = out.toByteArray();

        Result r = read(body, 64, 1000);

        assertThat(r.lines()).containsExactly(new Line(1, 6, "first"), Line.oversized(2, 6 + huge + 1),
                new Line(3, body.length, "last"));
        assertThat(r.batches()).allSatisfy(b -> assertThat(b.buffer().length).isLessThan(10_000));
    }

    @Test
    void oversizedLinesAreStreamedByteForByteToFilesOfTheirOwn(@TempDir Path dir) throws IOException {
        // a 20 MB line and a 17 MiB line past the real 16 MiB limit, one of them the last line without a newline
        byte[] twenty = randomLine(20_000_000, 1);
        byte[] seventeen = randomLine(17 << 20, 2);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(bytes("first\n"));
        out.write(twenty);
        out.write('\n');
        out.write(bytes("middle\n"));
        out.write(seventeen);
        byte[] body = out.toByteArray();
        long twentyStart = 6;
        long seventeenStart = 6 + twenty.length + 1 + 7;

        List<long[]> oversized = new ArrayList<>(); // line number, start offset, end offset
        try (SpoolLineReader reader = new SpoolLineReader(new ByteArrayInputStream(body), 0, 1,
                SpoolLineReader.BATCH_BYTES, SpoolLineReader.MAX_LINE_BYTES, null, dir)) {
            for (LineBatch b = reader.next(); !b.isEnd(); b = reader.next()) {
                assertThat(b.buffer().length).as("memory is bounded by the in-memory line limit, not the line")
                        .isLessThanOrEqualTo(SpoolLineReader.MAX_LINE_BYTES + SpoolLineReader.BATCH_BYTES + (1 << 12));
                for (int i = 0; i < b.size(); i++) {
                    if (b.length(i) == LineBatch.OVERSIZED) {
                        oversized.add(new long[] {b.lineNumber(i), b.startOffset(i), b.endOffset(i)});
                    }
                }
            }
        }

        assertThat(oversized).containsExactly(new long[] {2, twentyStart, twentyStart + twenty.length + 1},
                new long[] {4, seventeenStart, body.length});
        assertThat(Files.readAllBytes(SpoolLineReader.oversizedLine(dir, 2))).isEqualTo(twenty);
        assertThat(Files.readAllBytes(SpoolLineReader.oversizedLine(dir, 4))).isEqualTo(seventeen);
    }

    @Test
    void everyLineKnowsWhereItStarts() throws IOException {
        byte[] body = bytes("ab\n\r\n  \ncd\r\nefg");
        try (SpoolLineReader reader = new SpoolLineReader(new ByteArrayInputStream(body), 0, 1, 64, 100)) {
            LineBatch b = reader.next();
            assertThat(b.size()).isEqualTo(3);
            assertThat(new long[] {b.startOffset(0), b.startOffset(1), b.startOffset(2)})
                    .containsExactly(0, 8, 12);
        }
    }

    private static byte[] randomLine(int length, long seed) {
        byte[] line = new byte[length];
        new Random(seed).nextBytes(line);
        for (int i = 0; i < line.length; i++) {
            if (line[i] == '\n') {
                line[i] = ' ';
            }
        }
        return line;
    }

    @Test
    void batchesHoldAboutBatchBytesOfWholeLines() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            sb.append("line-").append(i).append('\n');
        }
        byte[] body = bytes(sb.toString());

        Result r = read(body, 20, 100);

        assertThat(r.lines()).hasSize(100);
        assertThat(r.batches()).hasSizeGreaterThan(20);
        assertThat(r.lines()).isEqualTo(reference(body, 100, 1));
    }

    @Test
    void randomBodiesMatchTheReferenceSplitAndEveryResumeGivesTheRemainingLines() throws IOException {
        Random random = new Random(20260101);
        for (int round = 0; round < 200; round++) {
            int maxLineBytes = 1 + random.nextInt(40);
            int batchBytes = 1 + random.nextInt(80);
            byte[] body = randomBody(random, maxLineBytes);
            String context = "round " + round + " max " + maxLineBytes + " batch " + batchBytes + " body '"
                    + new String(body, StandardCharsets.ISO_8859_1).replace("\n", "\\n").replace("\r", "\\r") + "'";

            Result whole;
            try (SpoolLineReader reader = new SpoolLineReader(new TrickleInputStream(body, random.nextLong()), 0, 1,
                    batchBytes, maxLineBytes)) {
                whole = readAll(reader, batchBytes, maxLineBytes);
            }
            assertThat(whole.lines()).as(context).isEqualTo(reference(body, maxLineBytes, 1));

            for (long[] boundary : boundaries(body)) {
                int offset = (int) boundary[0];
                long line = boundary[1];
                InputStream rest = new TrickleInputStream(Arrays.copyOfRange(body, offset, body.length), random.nextLong());
                try (SpoolLineReader reader = new SpoolLineReader(rest, offset, line, batchBytes, maxLineBytes)) {
                    assertThat(readAll(reader, batchBytes, maxLineBytes).lines())
                            .as(context + " resumed at " + offset + " line " + line)
                            .isEqualTo(whole.lines().stream().filter(l -> l.number() >= line).toList())
                            .isEqualTo(reference(body, maxLineBytes, line));
                }
            }
        }
    }

    @Test
    void recycledBatchesAreReusedAndStillGiveEveryLine() throws IOException {
        Random random = new Random(5);
        for (int round = 0; round < 50; round++) {
            byte[] body = randomBody(random, 30);
            List<Line> lines = new ArrayList<>();
            java.util.Set<LineBatch> distinct = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            try (SpoolLineReader reader = new SpoolLineReader(new TrickleInputStream(body, round), 0, 1, 16, 30)) {
                for (LineBatch b = reader.next(); !b.isEnd(); b = reader.next()) {
                    distinct.add(b);
                    for (int i = 0; i < b.size(); i++) {
                        lines.add(b.length(i) == LineBatch.OVERSIZED ? Line.oversized(b.lineNumber(i), b.endOffset(i))
                                : new Line(b.lineNumber(i), b.endOffset(i),
                                        new String(b.buffer(), b.start(i), b.length(i), StandardCharsets.ISO_8859_1)));
                    }
                    reader.recycle(b);
                }
            }
            assertThat(lines).isEqualTo(reference(body, 30, 1));
            assertThat(distinct.size()).as("batches in flight stay bounded").isLessThanOrEqualTo(4 * SpoolLineReader.READ_AHEAD + 4);
        }
    }

    @Test
    void prepareRunsOnEveryBatchBeforeItIsHandedOut() throws IOException {
        byte[] body = bytes("a\nbb\n\nccc\n");
        List<String> seen = new ArrayList<>();
        List<String> threads = java.util.Collections.synchronizedList(new ArrayList<>());
        try (SpoolLineReader reader = new SpoolLineReader(new ByteArrayInputStream(body), 0, 1, 1, 10,
                b -> threads.add(Thread.currentThread().getName()))) {
            for (LineBatch b = reader.next(); !b.isEnd(); b = reader.next()) {
                seen.add(new String(b.buffer(), b.start(0), b.length(0), StandardCharsets.ISO_8859_1));
            }
        }
        assertThat(seen).containsExactly("a", "bb", "ccc");
        assertThat(threads).hasSize(3).allSatisfy(name -> assertThat(name).startsWith("spool-parser-"));
    }

    @Test
    void failuresOfTheStreamAndOfPrepareAreRethrownAfterTheLinesBeforeThem() throws IOException {
        InputStream failing = new InputStream() {
            private final InputStream lines = new ByteArrayInputStream(bytes("one\ntwo\n"));

            @Override
            public int read() throws IOException {
                int b = lines.read();
                if (b < 0) {
                    throw new java.util.zip.ZipException("Corrupt GZIP trailer");
                }
                return b;
            }
        };
        List<String> seen = new ArrayList<>();
        try (SpoolLineReader reader = new SpoolLineReader(failing, 0, 1, 1, 10)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> {
                while (true) {
                    LineBatch b = reader.next();
                    seen.add(new String(b.buffer(), b.start(0), b.length(0), StandardCharsets.ISO_8859_1));
                }
            }).isInstanceOf(java.util.zip.ZipException.class).hasMessage("Corrupt GZIP trailer");
            assertThat(reader.next()).isNull();
        }
        assertThat(seen).containsExactly("one", "two");

        try (SpoolLineReader reader = new SpoolLineReader(new ByteArrayInputStream(bytes("x\n")), 0, 1, 1, 10,
                b -> {
                    throw new IllegalStateException("parser bug");
                })) {
            org.assertj.core.api.Assertions.assertThatThrownBy(reader::next).hasMessage("parser bug");
        }
    }

    @Test
    void closeBeforeTheEndStopsTheReadAheadThreads() throws IOException {
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 'x';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                for (int i = 0; i < len; i++) {
                    b[off + i] = (byte) (i % 10 == 9 ? '\n' : 'x');
                }
                return len;
            }
        };
        SpoolLineReader reader = new SpoolLineReader(endless, 0, 1, 100, 1000, b -> { });
        assertThat(reader.next().size()).isPositive();
        reader.close(); // returns: the threads blocked on full queues are interrupted and joined
        assertThat(Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("spool-") && t.isAlive())).isEmpty();
    }

    private static byte[] randomBody(Random random, int maxLineBytes) {
        StringBuilder sb = new StringBuilder();
        int lines = random.nextInt(25);
        for (int i = 0; i < lines; i++) {
            int kind = random.nextInt(10);
            int length = switch (kind) {
                case 0 -> 0;
                case 1 -> maxLineBytes;
                case 2 -> maxLineBytes + 1;
                case 3 -> maxLineBytes + random.nextInt(3 * maxLineBytes + 1);
                default -> random.nextInt(maxLineBytes + 1);
            };
            for (int j = 0; j < length; j++) {
                int c = random.nextInt(20);
                sb.append(c == 0 ? ' ' : c == 1 ? '\t' : c == 2 ? '\r' : c == 3 ? '\u00e9' : (char) ('a' + c));
            }
            if (random.nextInt(6) == 0) {
                sb.append('\r');
            }
            if (i < lines - 1 || random.nextBoolean()) {
                sb.append('\n');
            }
        }
        return bytes(sb.toString());
    }

    /** Hands out a few bytes per read, so that lines straddle every read boundary. */
    static final class TrickleInputStream extends InputStream {
        private final byte[] data;
        private final Random random;
        private int pos;

        TrickleInputStream(byte[] data, long seed) {
            this.data = data;
            this.random = new Random(seed);
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (pos >= data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, 1 + random.nextInt(7)), data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
