package io.mixpanelpipelines.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.identity.DayIdentities.Held;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link HeldSort} against the JDK's sort with the same order, on sizes around its insertion cut and ids past
 * ASCII; and the prefixes it compares first against the full order.
 */
class HeldSortTests {

    /** With NUL (a prefix pads with zero bytes) and an 8-byte part many ids share (their prefixes tie). */
    private static final String[] PARTS = {"a", "b", "\u00E9", "\uE000", "\uD83D\uDE00", "\uFFFD", "9", "", "\u0000", "$device:"};

    @Test
    void sortsAsTheJdkDoesByUtf8Bytes() {
        Random r = new Random(7);
        for (int round = 0; round < 2_000; round++) {
            int n = round < 100 ? round : r.nextInt(3_000);
            Held[] held = new Held[n];
            java.util.Set<String> ids = new java.util.HashSet<>();
            for (int i = 0; i < n; i++) {
                String id;
                do {
                    StringBuilder b = new StringBuilder();
                    for (int k = r.nextInt(5); k >= 0; k--) {
                        b.append(PARTS[r.nextInt(PARTS.length)]);
                    }
                    id = b.toString() + (round % 3 == 0 ? "" : Integer.toString(r.nextInt(n + 1)));
                } while (!ids.add(id)); // ids in memory are distinct
                held[i] = new Held(id, "u", i, false);
            }
            Held[] expected = held.clone();
            Arrays.sort(expected, (a, b) -> IdOrder.compare(a.idUtf8, b.idUtf8));
            HeldSort.sort(held);
            assertThat(held).as("round %d, %d ids", round, n).containsExactly(expected);
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
            long pa = IdOrder.prefix(a);
            long pb = IdOrder.prefix(b);
            if (pa != pb) {
                decided++;
                assertThat(Integer.signum(Long.compareUnsigned(pa, pb))).as("%s %s", Arrays.toString(a), Arrays.toString(b))
                        .isEqualTo(Integer.signum(IdOrder.compare(a, b)));
            }
        }
        assertThat(decided).isGreaterThan(100_000);
    }
}
