package io.mixpanelpipelines.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Folders a test or the benchmark removes. */
public final class TestFiles {

    private TestFiles() {
    }

    /**
     * Deletes {@code dir} and everything under it, deepest first.
     *
     * @throws java.nio.file.NoSuchFileException when {@code dir} does not exist (a test that meant to remove a day
     *         must not go on without having removed it)
     * @throws IOException when a file cannot be deleted
     */
    public static void deleteTree(Path dir) throws IOException {
        List<Path> deepestFirst;
        try (Stream<Path> paths = Files.walk(dir)) {
            deepestFirst = paths.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : deepestFirst) {
            Files.delete(p);
        }
    }

    /** {@link #deleteTree}, or nothing when {@code dir} does not exist. */
    public static void deleteTreeIfExists(Path dir) throws IOException {
        if (Files.exists(dir)) {
            deleteTree(dir);
        }
    }

    /**
     * Deletes what it can of {@code dir} and never throws: for shutdown hooks and clean-ups whose leftovers
     * only take space in {@code target/} or the temporary folder.
     */
    public static void deleteTreeQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // a leftover in target/ or the temporary folder
        }
    }
}
