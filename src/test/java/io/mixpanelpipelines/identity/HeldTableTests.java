package io.mixpanelpipelines.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link HeldTable}: its sort against the JDK's with the same order, on sizes around its insertion cut and ids
 * past ASCII; the prefixes it compares first against the full order; lookups and updates against a map, through
 * growth, compaction and clearing.
 */
class HeldTableTests {

    /** With NUL (a prefix pads with zero bytes) and an 8-byte part many ids share (their prefixes tie). */
    private static final String[] PARTS = {"a", "b", "\u00E9", "\uE000", "\uD83D\uDE00", "\uFFFD", "9", "", "\u0000", "$device:"};

    @Test
    void sortsAsTheJdkDoesByUtf8Bytes() {
        Random r = new Random(7);
        for (int round = 0; round < 2_000; round++) {
            int n = round < 100 ? round : r.nextInt(3_000);
            HeldTable held = new HeldTable();
            java.util.List<String> ids = new java.util.ArrayList<>();
            java.util.Set<String> distinct = new java.util.HashSet<>();
            for (int i = 0; i < n; i++) {
                String id;
                do {
                    StringBuilder b = new StringBuilder();
                    for (int k = r.nextInt(5); k >= 0; k--) {
                        b.append(PARTS[r.nextInt(PARTS.length)]);
                    }
                    id = b.toString() + (round % 3 == 0 ? "" : Integer.toString(r.nextInt(n + 1)));
                } while (!distinct.add(id)); // ids in memory are distinct
                ids.add(id);
                byte[] b = utf8(id);
                held.add(HeldTable.hash(b, 0, b.length), b, 0, b.length, U, 0, 1, i, false);
            }
            String[] expected = ids.toArray(new String[0]);
            Arrays.sort(expected, (a, b) -> compareUtf8(a, b));
            int[] sorted = held.sorted();
            String[] actual = new String[n];
            for (int i = 0; i < n; i++) {
                actual[i] = ids.get(sorted[i]);
            }
            assertThat(actual).as("round %d, %d ids", round, n).containsExactly(expected);
        }
    }

    @Test
    void idsWhosePrefixesDifferCompareAsTheirPrefixes() {
        Random r = new Random(11);
        byte[] alphabet = {0, 1, 'a', 'b', (byte) 0x7F, (byte) 0x80, (byte) 0xC3, (byte) 0xFF};
        int decided = 0;
        for (int i = 0; i < 200_000; i++) {
            byte[] a = new byte[r.nextInt(12)];
            byte[] b = new byte[r.nextInt(12)];
            for (int k = 0; k < a.length; k++) {
                a[k] = alphabet[r.nextInt(alphabet.length)];
            }
            for (int k = 0; k < b.length; k++) {
                b[k] = k < a.length && r.nextInt(4) > 0 ? a[k] : alphabet[r.nextInt(alphabet.length)];
            }
            long pa = IdOrder.prefix(a, a.length);
            long pb = IdOrder.prefix(b, b.length);
            if (pa != pb) {
                decided++;
                assertThat(Integer.signum(Long.compareUnsigned(pa, pb))).as("%s %s", Arrays.toString(a), Arrays.toString(b))
                        .isEqualTo(Integer.signum(IdOrder.compare(a, a.length, b, b.length)));
            }
        }
        assertThat(decided).isGreaterThan(100_000);
    }

    private static final byte[] U = {'u'};

    /** The order of two strings' UTF-8 bytes. */
    static int compareUtf8(String a, String b) {
        byte[] x = utf8(a);
        byte[] y = utf8(b);
        return IdOrder.compare(x, x.length, y, y.length);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(HeldTable t, int at, int length) {
        return new String(t.bytes(), at, length, StandardCharsets.UTF_8);
    }

    /**
     * Random lookups, adds and updates (shorter, as long and longer resolved ids: leftovers in the block, then
     * compactions) against a map of what each id should hold, cleared now and then as a spill clears it.
     */
    @Test
    void holdsWhatAMapHoldsThroughGrowthCompactionAndClearing() {
        Random r = new Random(3);
        HeldTable t = new HeldTable();
        java.util.Map<String, String[]> expected = new java.util.HashMap<>();
        int compactedAtLeastOnce = 0;
        for (int step = 0; step < 150_000; step++) {
            if (step > 100_000 && r.nextInt(10_000) == 0) { // cleared late: compactions need a full block first
                t.clear();
                expected.clear();
                assertThat(t.size()).isZero();
                assertThat(t.bytesUsed()).isZero();
            }
            String id = "id-" + r.nextInt(5_000) + (r.nextBoolean() ? "é" : "");
            String resolved = "u".repeat(1 + r.nextInt(r.nextInt(10) == 0 ? 300 : 20)) + r.nextInt(9);
            long time = r.nextInt(1_000);
            byte[] b = utf8(id);
            byte[] v = utf8(resolved);
            int hash = HeldTable.hash(b, 0, b.length);
            int e = t.find(hash, b, 0, b.length);
            String[] want = expected.get(id);
            assertThat(e >= 0).as("%s held", id).isEqualTo(want != null);
            if (e < 0) {
                t.add(hash, b, 0, b.length, v, 0, v.length, time, r.nextBoolean());
                expected.put(id, new String[] {resolved, Long.toString(time)});
                continue;
            }
            assertThat(text(t, t.idAt(e), t.idLength(e))).isEqualTo(id);
            assertThat(text(t, t.resolvedAt(e), t.resolvedLength(e))).isEqualTo(want[0]);
            assertThat(t.time(e)).isEqualTo(Long.parseLong(want[1]));
            boolean beats = time < t.time(e) || (time == t.time(e) && compareUtf8(resolved, want[0]) < 0);
            assertThat(t.beats(e, v, 0, v.length, time)).isEqualTo(beats);
            int before = t.bytesUsed();
            t.update(e, v, 0, v.length, time, false); // every update, winning or not: the table takes what it is given
            compactedAtLeastOnce += t.bytesUsed() < before ? 1 : 0;
            expected.put(id, new String[] {resolved, Long.toString(time)});
            assertThat(new String(t.resolvedCopy(e), StandardCharsets.UTF_8)).isEqualTo(resolved);
        }
        assertThat(compactedAtLeastOnce).as("compactions").isPositive();
        assertThat(t.size()).isEqualTo(expected.size());
        long live = expected.entrySet().stream().mapToLong(x -> utf8(x.getKey()).length + utf8(x.getValue()[0]).length).sum();
        assertThat((long) t.bytesUsed()).as("the block stays within a few times what is held").isLessThan(4 * live + (1 << 16));
    }
}
