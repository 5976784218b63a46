package io.mixpanelpipelines.source.gzip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both decoders against {@link GZIPInputStream} itself: the same bytes, and the same exception types for
 * empty, foreign, cut and corrupt input; the igzip one also read from a file, fed by a failing or stalled
 * stream, and closed early without leaving a process or a thread behind. The igzip cases are skipped, saying
 * so, only where {@code igzip} does not work (install the {@code isal} package).
 */
class GzipDecoderTests {

    static final Path CORPUS = Path.of("..", "shared", "testdata", "json-test-suite", "test_parsing");

    private static String igzipProblem;

    @TempDir
    Path dir;

    @BeforeAll
    static void probe() {
        igzipProblem = GzipDecoder.igzipProblem();
    }

    private static void requireIgzip() {
        assumeThat(igzipProblem).as("igzip (package isal) is needed for this case: " + igzipProblem).isNull();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void decodesTheJsonTestSuiteByteForByte(boolean isal) throws IOException {
        if (isal) {
            requireIgzip();
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(CORPUS)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThan(300);
        // with igzip every body is a process: each file alone only when it is 2 bytes or less, over 32 KiB, or
        // every eighth (all of them, 640 processes, took 9 s), and all of them as the members of one body, as
        // sub-day slices join their spools
        ByteArrayOutputStream allGz = new ByteArrayOutputStream();
        ByteArrayOutputStream allPlain = new ByteArrayOutputStream();
        List<Integer> ends = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            byte[] plain = Files.readAllBytes(f);
            byte[] gz = gzip(plain);
            allGz.writeBytes(gz);
            allPlain.writeBytes(plain);
            ends.add(allPlain.size());
            if (!isal || plain.length <= 2 || plain.length > 32 << 10 || i % 8 == 0) {
                assertThat(decodeStream(gz, isal)).as(f.toString()).isEqualTo(plain);
                assertThat(decodeFile(gz, isal)).as(f.toString()).isEqualTo(plain);
            }
        }
        byte[] expected = allPlain.toByteArray();
        for (byte[] decoded : List.of(decodeStream(allGz.toByteArray(), isal), decodeFile(allGz.toByteArray(), isal))) {
            int at = java.util.Arrays.mismatch(decoded, expected);
            if (at >= expected.length) {
                throw new AssertionError("the files as one body of members decode to " + decoded.length + " bytes, "
                        + (decoded.length - expected.length) + " after the last member's");
            }
            if (at >= 0) {
                int file = 0;
                while (ends.get(file) <= at) {
                    file++;
                }
                int start = file == 0 ? 0 : ends.get(file - 1);
                throw new AssertionError("the files as one body of members differ at byte " + at + ": byte "
                        + (at - start) + " of " + files.get(file) + " (decoded " + decoded.length + " bytes of " + expected.length + ")");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void decodesAMultiMegabyteBodyOfSeveralMembers(boolean isal) throws IOException {
        if (isal) {
            requireIgzip();
        }
        byte[] a = lines(1, 40_000);
        byte[] b = lines(2, 30_000);
        // sub-day slices join their spools as concatenated members; an empty member is still a member
        byte[] gz = concat(gzip(a), gzip(new byte[0]), gzip(b));
        byte[] expected = concat(a, b);
        assertThat(expected.length).isGreaterThan(5 << 20);
        assertThat(decodeStream(gz, isal)).isEqualTo(expected);
        assertThat(decodeFile(gz, isal)).isEqualTo(expected);
        assertThat(decodeStream(gz, isal)).isEqualTo(jdk(gz));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void emptyAndForeignInputFailOnOpenAsGzipInputStreamDoes(boolean isal) throws IOException {
        if (isal) {
            requireIgzip();
        }
        assertThatThrownBy(() -> GzipDecoder.open(new ByteArrayInputStream(new byte[0]), 1024, isal))
                .isExactlyInstanceOf(EOFException.class);
        assertThatThrownBy(() -> GzipDecoder.open(file(new byte[0]), 1024, isal))
                .isExactlyInstanceOf(EOFException.class);
        byte[] plain = "{\"event\":\"x\"}\n".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> GzipDecoder.open(new ByteArrayInputStream(plain), 1024, isal))
                .isExactlyInstanceOf(ZipException.class);
        assertThatThrownBy(() -> GzipDecoder.open(file(plain), 1024, isal))
                .isExactlyInstanceOf(ZipException.class);
    }

    @Test
    void inputCutAnywhereFailsWithTheSameTypeAsGzipInputStream() throws IOException {
        requireIgzip();
        byte[] member = gzip(lines(3, 20_000));
        byte[] two = concat(member, member);
        // inside the header, the deflate data, the trailer, and the second member's header and data
        int[] cuts = {5, 12, member.length / 2, member.length - 3, member.length + 4, member.length + 5000,
                two.length - 1};
        for (int cut : cuts) {
            byte[] partial = java.util.Arrays.copyOf(two, cut);
            Class<? extends Throwable> expected = failureOf(() -> jdk(partial));
            if (expected == null) {
                // GZIPInputStream ends quietly when a later member's header is cut; igzip says the input is cut
                assertThat(cut).isEqualTo(member.length + 4);
                expected = EOFException.class;
            }
            assertThat(failureOf(() -> decodeStream(partial, true))).as("stream cut at " + cut).isEqualTo(expected);
            assertThat(failureOf(() -> decodeFile(partial, true))).as("file cut at " + cut).isEqualTo(expected);
        }
    }

    @Test
    void corruptInputFailsAndNeverEndsQuietly() throws IOException {
        requireIgzip();
        byte[] member = gzip(lines(4, 20_000));
        byte[] badData = member.clone();
        for (int i = 0; i < 16; i++) {
            badData[member.length / 2 + i] ^= 0x5a;
        }
        byte[] badCrc = member.clone();
        badCrc[member.length - 6] ^= 0x01;
        for (byte[] bad : List.of(badData, badCrc)) {
            Class<? extends Throwable> expected = failureOf(() -> jdk(bad));
            assertThat(expected).isNotNull();
            assertThat(failureOf(() -> decodeStream(bad, true))).isEqualTo(expected);
            assertThat(failureOf(() -> decodeFile(bad, true))).isEqualTo(expected);
        }
        assertThatThrownBy(() -> decodeFile(badCrc, true)).hasMessageContaining("igzip");
    }

    @Test
    void aFailureOfTheRawStreamSurfacesAsItself() throws IOException {
        requireIgzip();
        byte[] gz = gzip(lines(5, 40_000));
        SocketException reset = new SocketException("Connection reset");
        InputStream failing = new InputStream() {
            private final InputStream in = new ByteArrayInputStream(gz, 0, gz.length / 2);

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n < 0) {
                    throw reset;
                }
                return n;
            }
        };
        try (InputStream in = GzipDecoder.open(failing, 1 << 16, true)) {
            assertThatThrownBy(in::readAllBytes).isSameAs(reset);
        }
        assertNothingLeft();
    }

    @Test
    void closingEarlyEndsTheProcessAndTheFeederEvenOnAStalledStream() throws Exception {
        requireIgzip();
        byte[] gz = gzip(lines(6, 40_000));
        try (InputStream in = GzipDecoder.open(file(gz), 1 << 16, true)) {
            assertThat(in.read()).isEqualTo('{');
        }
        assertNothingLeft();
        try (InputStream in = GzipDecoder.open(new ByteArrayInputStream(gz), 1 << 16, true)) {
            assertThat(in.read(new byte[100])).isPositive();
        }
        assertNothingLeft();
        // a raw stream that delivers part of the body and then stalls, as a silent connection does
        PipedOutputStream server = new PipedOutputStream();
        PipedInputStream stalled = new PipedInputStream(server, 1 << 20);
        server.write(gz, 0, gz.length / 3);
        server.flush();
        InputStream in = GzipDecoder.open(stalled, 1 << 16, true);
        // igzip reads its input in large blocks, so nothing may be decoded yet: the reader is not waited for
        in.close();
        assertNothingLeft();
        assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessage("Stream closed");
        // so little that igzip takes it all: the feeder then waits in a read of the raw stream, not in a write
        PipedOutputStream quiet = new PipedOutputStream();
        PipedInputStream little = new PipedInputStream(quiet, 1 << 20);
        quiet.write(gz, 0, 4096);
        quiet.flush();
        InputStream early = GzipDecoder.open(little, 1 << 16, true);
        Thread.sleep(200);
        early.close();
        assertNothingLeft();
    }

    @Test
    void theSettingIsReadFromItsValues() {
        assertThat(Inflater.parse(null, "x")).isEqualTo(Inflater.AUTO);
        assertThat(Inflater.parse(" ", "x")).isEqualTo(Inflater.AUTO);
        assertThat(Inflater.parse("isal", "x")).isEqualTo(Inflater.ISAL);
        assertThat(Inflater.parse("JDK", "x")).isEqualTo(Inflater.JDK);
        assertThat(Inflater.parse("auto", "x")).hasToString("auto");
        assertThatThrownBy(() -> Inflater.parse("zlib-ng", "PIPELINES_INFLATER"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("PIPELINES_INFLATER=zlib-ng is not one of auto, isal, jdk");
    }

    @Test
    void aMissingIgzipIsReportedNotFatal() {
        assertThat(IgzipProbe.problem(List.of("igzip-that-is-not-installed"))).contains("cannot be started");
        assertThat(IgzipProbe.problem(GzipDecoder.widened(GzipDecoder.PERL, "igzip-that-is-not-installed")))
                // perl may end before the probe wrote its body (a broken pipe) or after (exit 2): either is a problem
                .matches("igzip-that-is-not-installed through perl (cannot be started|-dc did not decode a test body \\(exit 2\\)|failed).*");
    }

    /** Without perl, igzip runs alone; without either, the reason igzip alone failed is given. */
    @Test
    void withoutPerlIgzipRunsAloneAndWithoutItNeitherIsChosen() {
        GzipDecoder.Start neither = GzipDecoder.choose("perl-that-is-not-installed", "igzip-that-is-not-installed");
        assertThat(neither.command()).isNull();
        assertThat(neither.problem()).startsWith("igzip-that-is-not-installed cannot be started");
        requireIgzip();
        assertThat(GzipDecoder.choose("perl-that-is-not-installed", "igzip"))
                .isEqualTo(new GzipDecoder.Start(List.of("igzip"), null));
        GzipDecoder.Start here = GzipDecoder.choose("perl", "igzip");
        assertThat(here.problem()).isNull();
        assertThat(here.command()).as("perl's, where perl is installed").isIn(GzipDecoder.widened(GzipDecoder.PERL, "igzip"), List.of("igzip"));
    }

    /**
     * The perl one-liner igzip is started through widens both of its pipes before it becomes the program (here
     * perl again, printing the sizes it was given: {@code F_GETPIPE_SZ}), and this process uses it when it can.
     */
    @Test
    void igzipIsStartedWithPipesOfAMebibyteWherePerlCanWidenThem() throws Exception {
        requireIgzip();
        List<String> command = new ArrayList<>(GzipDecoder.widened(GzipDecoder.PERL, GzipDecoder.PERL));
        command.addAll(List.of("-e", "print fcntl(STDIN, 1032, 0) + 0, ' ', fcntl(STDOUT, 1032, 0) + 0"));
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeThat(e).as("perl is needed for this case").isNull();
            return;
        }
        p.getOutputStream().close();
        String sizes = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(sizes).isZero();
        // a failed call (not Linux) leaves 0: skipped; 256 KiB where fs.pipe-max-size allows no more
        assumeThat(sizes).as("F_SETPIPE_SZ (Linux) is needed for this case: " + sizes).matches("[1-9]\\d* [1-9]\\d*");
        for (String size : sizes.split(" ")) {
            assertThat(Long.parseLong(size)).isIn(262_144L, 1_048_576L);
        }
        if (Inflater.configured() != Inflater.JDK) {
            assertThat(GzipDecoder.igzipCommand()).first().isEqualTo("perl");
            assertThat(GzipDecoder.igzipCommand()).last().isEqualTo("igzip");
        }
    }

    /** No igzip child of this JVM and no feeder thread, polled for up to 5 s (ending is asynchronous). */
    private static void assertNothingLeft() {
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<String> left = new ArrayList<>();
        do {
            left.clear();
            ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().command().orElse("").matches(".*/(igzip|perl)"))
                    .forEach(p -> left.add("process " + p.pid()));
            Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("igzip-feeder"))
                    .filter(Thread::isAlive).forEach(t -> left.add("thread " + t.getName()));
        } while (!left.isEmpty() && System.nanoTime() < deadline && pause());
        assertThat(left).as("left behind").isEmpty();
    }

    private static boolean pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    private interface Decode {
        byte[] run() throws IOException;
    }

    private static Class<? extends Throwable> failureOf(Decode d) {
        try {
            d.run();
            return null;
        } catch (IOException e) {
            return e.getClass();
        }
    }

    private byte[] decodeStream(byte[] gz, boolean isal) throws IOException {
        try (InputStream in = GzipDecoder.open(new ByteArrayInputStream(gz), 1 << 17, isal)) {
            return in.readAllBytes();
        }
    }

    private byte[] decodeFile(byte[] gz, boolean isal) throws IOException {
        try (InputStream in = GzipDecoder.open(file(gz), 1 << 16, isal)) {
            return in.readAllBytes();
        }
    }

    private Path file(byte[] bytes) throws IOException {
        Path f = Files.createTempFile(dir, "body", ".gz");
        Files.write(f, bytes);
        return f;
    }

    private static byte[] jdk(byte[] gz) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(b)) {
            z.write(plain);
        }
        return b.toByteArray();
    }

    /** Event-like NDJSON lines with varied (so poorly compressible) values. */
    private static byte[] lines(long seed, int count) {
        Random r = new Random(seed);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < count; i++) {
            s.append("{\"event\":\"e").append(r.nextInt(50)).append("\",\"properties\":{\"time\":")
                    .append(1_700_000_000L + r.nextInt(86_400)).append(",\"distinct_id\":\"")
                    .append(Long.toHexString(r.nextLong())).append("\",\"$insert_id\":\"")
                    .append(Long.toHexString(r.nextLong())).append("\",\"v\":").append(r.nextDouble())
                    .append(",\"s\":\"\\u00e9\\n").append(i).append("\"}}\n");
        }
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }
}
