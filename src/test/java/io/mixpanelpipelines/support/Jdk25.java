package io.mixpanelpipelines.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** A JDK 25 installed beside the JDK 17 the build runs on, for the tests and the benchmark that use one. */
public final class Jdk25 {

    private Jdk25() {
    }

    /**
     * The first JDK 25 in {@code /usr/lib/jvm} (where Debian's, Ubuntu's and Temurin's packages put them): a
     * folder with {@code bin/java} whose {@code release} file says {@code JAVA_VERSION="25...}; null if none.
     */
    public static Path find() {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return null;
        }
        try (Stream<Path> homes = Files.list(jvms)) {
            return homes.filter(h -> Files.isExecutable(h.resolve("bin/java")) && isJava25(h.resolve("release")))
                    .sorted().findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean isJava25(Path release) {
        try {
            return Files.readAllLines(release).stream().anyMatch(l -> l.startsWith("JAVA_VERSION=\"25"));
        } catch (IOException e) {
            return false;
        }
    }
}
