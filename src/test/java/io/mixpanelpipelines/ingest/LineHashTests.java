package io.mixpanelpipelines.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LineHashTests {

    @Test
    void dependsOnTheBytesOnlyNotOnWhereTheyLie() {
        Random random = new Random(7);
        for (int len = 0; len <= 200; len++) {
            byte[] line = new byte[len];
            random.nextBytes(line);
            byte[] shifted = new byte[len + 13];
            System.arraycopy(line, 0, shifted, 13, len);

            assertThat(LineHash.hash(shifted, 13, len)).as("length " + len).isEqualTo(LineHash.hash(line, 0, len));
        }
    }

    @Test
    void anyChangedByteOrLengthChangesTheHash() {
        Random random = new Random(8);
        Set<Long> seen = new HashSet<>();
        int hashes = 0;
        for (int len = 0; len <= 100; len++) {
            byte[] line = new byte[len];
            random.nextBytes(line);
            seen.add(LineHash.hash(line, 0, len));
            hashes++;
            for (int i = 0; i < len; i++) { // every lane, the 8-byte words after them and the tail
                line[i] ^= 1;
                seen.add(LineHash.hash(line, 0, len));
                hashes++;
                line[i] ^= 1;
            }
        }
        byte[] zeros = new byte[64];
        for (int len = 1; len <= 64; len++) { // (the empty line was hashed above)
            seen.add(LineHash.hash(zeros, 0, len));
            hashes++;
        }

        assertThat(seen).hasSize(hashes);
    }
}
