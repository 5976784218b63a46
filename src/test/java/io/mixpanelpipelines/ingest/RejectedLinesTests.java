package io.mixpanelpipelines.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RejectedLinesTests {

    @Test
    void aLineKeptInAFileOfItsOwnIsMovedInByteForByteInOrder(@TempDir Path dir) throws IOException {
        byte[] huge = new byte[20_000_000];
        new Random(7).nextBytes(huge);
        Path lineFile = dir.resolve("line-2");
        Files.write(lineFile, huge);
        byte[] first = "not json".getBytes(StandardCharsets.UTF_8);

        try (RejectedLines rejected = new RejectedLines(dir.resolve("_rejected"), "2026-01-01")) {
            rejected.resetTo(0, 0);
            rejected.add(1, 0, "malformed", first, 0, first.length);
            rejected.addFrom(2, 9, "line longer than 16 MiB", lineFile);
            rejected.flush();
            assertThat(rejected.linesBytes()).isEqualTo(first.length + 1L + huge.length + 1L);
        }

        byte[] lines = Files.readAllBytes(dir.resolve("_rejected/2026-01-01.lines"));
        byte[] expected = new byte[first.length + 1 + huge.length + 1];
        System.arraycopy(first, 0, expected, 0, first.length);
        expected[first.length] = '\n';
        System.arraycopy(huge, 0, expected, first.length + 1, huge.length);
        expected[expected.length - 1] = '\n';
        assertThat(lines).isEqualTo(expected);
        assertThat(Files.readAllLines(dir.resolve("_rejected/2026-01-01.reasons")))
                .isEqualTo(List.of("1\t0\tmalformed", "2\t9\tline longer than 16 MiB"));
        assertThat(lineFile).doesNotExist();
    }
}
