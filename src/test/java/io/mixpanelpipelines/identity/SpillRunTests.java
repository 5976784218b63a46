package io.mixpanelpipelines.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spill run's bytes are those of its format as {@link SpillRun} documents it, written here the plain way, for
 * lengths of one, two and three bytes, ids ASCII or not, empty, and longer than a buffer; a run reads back as
 * written, its twins alone too; a merged run holds the same bytes; a cut or malformed run is refused.
 */
class SpillRunTests {

    @TempDir
    Path tmp;

    private static final String[] RESOLVED = {"", "u", "a".repeat(127), "b".repeat(128), "\u00E9t\u00E9", "x\uD83D\uDE00y",
        "ascii then \u0080", "c".repeat(20_000), "\u00FF".repeat(9_000), "user-42"};

    /** A candidate as the tests write it. */
    private static final class Held {
        final String distinctId;
        final byte[] idUtf8;
        final String resolved;
        final long time;
        boolean twin;

        Held(String distinctId, String resolved, long time, boolean twin) {
            this.distinctId = distinctId;
            this.idUtf8 = distinctId.getBytes(StandardCharsets.UTF_8);
            this.resolved = resolved;
            this.time = time;
            this.twin = twin;
        }
    }

    private static List<Held> held() {
        List<Held> held = new ArrayList<>();
        for (int i = 0; i < RESOLVED.length; i++) {
            String id = i == 7 ? "z".repeat(17_000) : "id-" + i + (i % 3 == 0 ? "\uE000" : "");
            // times of 2026 and of 1969 (negative): every byte of a time is read, whatever its value
            long time = i % 4 == 1 ? -1_000_003L * i : 1_769_904_000_000_000L + i * 1_000_003L;
            held.add(new Held(id, RESOLVED[i], time, i % 2 == 0));
        }
        held.sort((a, b) -> IdOrder.compare(a.idUtf8, a.idUtf8.length, b.idUtf8, b.idUtf8.length));
        return held;
    }

    /** The candidates in a table, added in reverse order: the run is sorted by the table. */
    private static HeldTable table(List<Held> held) {
        HeldTable t = new HeldTable();
        for (int i = held.size() - 1; i >= 0; i--) {
            Held h = held.get(i);
            byte[] r = h.resolved.getBytes(StandardCharsets.UTF_8);
            t.add(HeldTable.hash(h.idUtf8, 0, h.idUtf8.length), h.idUtf8, 0, h.idUtf8.length, r, 0, r.length, h.time, h.twin);
        }
        return t;
    }

    /** The format written the plain way: magic, then per candidate varint(2 * id bytes + twin), id, varint, resolved, time. */
    private static byte[] reference(List<Held> held) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write("mp-idrun2\n".getBytes(StandardCharsets.US_ASCII));
        for (Held h : held) {
            varint(out, ((long) h.idUtf8.length << 1) | (h.twin ? 1 : 0));
            out.write(h.idUtf8);
            byte[] r = h.resolved.getBytes(StandardCharsets.UTF_8);
            varint(out, r.length);
            out.write(r);
            out.writeLong(h.time);
        }
        return bytes.toByteArray();
    }

    private static void varint(DataOutputStream out, long n) throws Exception {
        while ((n & ~0x7fL) != 0) {
            out.write((int) ((n & 0x7f) | 0x80));
            n >>>= 7;
        }
        out.write((int) n);
    }

    @Test
    void aRunHoldsTheDocumentedBytesAndReadsBackAsWritten() throws Exception {
        List<Held> held = held();
        Path file = tmp.resolve("run.bin");

        assertThat(SpillRun.writeHeld(file, table(held))).as("it holds twins").isTrue();

        assertThat(Files.readAllBytes(file)).isEqualTo(reference(held));
        try (SpillRun.Reader r = new SpillRun.Reader(file, false)) {
            for (Held h : held) {
                assertThat(r.advance()).isTrue();
                assertThat(Arrays.copyOf(r.id(), r.idLength())).isEqualTo(h.idUtf8);
                assertThat(new String(r.resolved(), 0, r.resolvedLength(), StandardCharsets.UTF_8)).isEqualTo(h.resolved);
                assertThat(r.time()).isEqualTo(h.time);
            }
            assertThat(r.advance()).isFalse();
        }
        // the twins alone, as their $device: ids: the others skipped, the long ones across the buffer's refills
        try (SpillRun.Reader r = new SpillRun.Reader(file, true)) {
            for (Held h : held.stream().filter(h -> h.twin).toList()) {
                assertThat(r.advance()).isTrue();
                assertThat(new String(r.id(), 0, r.idLength(), StandardCharsets.UTF_8)).isEqualTo("$device:" + h.distinctId);
                assertThat(new String(r.resolved(), 0, r.resolvedLength(), StandardCharsets.UTF_8)).isEqualTo(h.resolved);
                assertThat(r.time()).isEqualTo(h.time);
            }
            assertThat(r.advance()).isFalse();
        }
    }

    @Test
    void aMergedRunHoldsTheSameBytesAsOneWrittenFromMemory() throws Exception {
        List<Held> held = held();
        held.forEach(h -> h.twin = false); // a merged run holds plain candidates
        Path fromMemory = tmp.resolve("memory.bin");
        SpillRun.writeHeld(fromMemory, table(held));
        Path merged = tmp.resolve("merged.bin");

        try (MergedRows rows = new MergedRows(List.of(fromMemory), java.util.Set.of(), null)) {
            assertThat(SpillRun.write(merged, rows)).isEqualTo(held.size());
        }

        assertThat(Files.readAllBytes(merged)).isEqualTo(Files.readAllBytes(fromMemory)).isEqualTo(reference(held));
    }

    @Test
    void aRunCutShortAnywhereIsRefusedOrReadsToTheLastWholeCandidate() throws Exception {
        List<Held> held = held();
        byte[] whole = reference(held);
        // where each candidate ends: a cut there reads the candidates before it and nothing more
        List<Integer> ends = new ArrayList<>(List.of(10));
        for (Held h : held) {
            ends.add(ends.get(ends.size() - 1) + reference(List.of(h)).length - 10);
        }
        java.util.TreeSet<Integer> cuts = new java.util.TreeSet<>();
        for (int cut = 0; cut < whole.length; cut += cut < 200 ? 1 : 97) {
            cuts.add(cut);
        }
        ends.forEach(e -> cuts.addAll(List.of(e - 1, e, e + 1)));
        cuts.removeIf(c -> c >= whole.length);
        assertThat(ends.stream().filter(cuts::contains)).as("a cut after every whole candidate").hasSize(ends.size() - 1);
        Path file = tmp.resolve("cut.bin");
        for (int cut : cuts) {
            Files.write(file, Arrays.copyOf(whole, cut));
            int at = cut;
            long complete = ends.stream().skip(1).filter(e -> e <= at).count();
            int read = 0;
            boolean refused = false;
            try (SpillRun.Reader r = new SpillRun.Reader(file, false)) {
                while (r.advance()) {
                    assertThat(r.time()).isEqualTo(held.get(read).time);
                    read++;
                }
            } catch (java.io.IOException e) {
                refused = true;
                if (cut >= 10) {
                    assertThat(e).hasMessage(file + " ends in the middle of a candidate");
                }
            }
            if (ends.contains(cut)) {
                assertThat(refused).as("cut at %d, after a whole candidate", cut).isFalse();
                assertThat(read).isEqualTo(complete);
            } else {
                assertThat(refused).as("cut at %d", cut).isTrue();
            }
        }
    }

    @Test
    void aMalformedLengthOrHeaderIsRefused() throws Exception {
        Path file = tmp.resolve("bad.bin");
        byte[] magic = "mp-idrun2\n".getBytes(StandardCharsets.US_ASCII);
        byte[] endless = Arrays.copyOf(magic, magic.length + 12);
        Arrays.fill(endless, magic.length, endless.length, (byte) 0xFF);
        Files.write(file, endless);
        try (SpillRun.Reader r = new SpillRun.Reader(file, false)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(r::advance).hasMessage(file + " has a malformed length");
        }
        Files.write(file, "mp-idrun1\nrest".getBytes(StandardCharsets.US_ASCII));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SpillRun.Reader(file, false))
                .hasMessage(file + " is not an identity spill run");
    }
}
