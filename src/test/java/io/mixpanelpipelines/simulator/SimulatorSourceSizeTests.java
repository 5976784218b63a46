package io.mixpanelpipelines.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The simulator's sources stay within the project's size limit (about 300 lines a file): the builder's settings
 * live in {@link SimulatorSettings}, not in {@link MixpanelSimulator}. Run from the project's folder, as Maven does.
 */
class SimulatorSourceSizeTests {

    @Test
    void noSimulatorSourceIsOver300Lines() throws IOException {
        Path dir = Path.of("src/main/java/io/mixpanelpipelines/simulator");
        assertThat(dir).isDirectory();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.filter(f -> f.toString().endsWith(".java")))
                    .isNotEmpty()
                    .allSatisfy(f -> assertThat(lines(f)).as(f.getFileName().toString()).isLessThanOrEqualTo(300));
        }
    }

    private static long lines(Path f) {
        try (Stream<String> l = Files.lines(f)) {
            return l.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
