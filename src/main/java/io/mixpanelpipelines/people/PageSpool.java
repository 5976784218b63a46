package io.mixpanelpipelines.people;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The engage pages of one snapshot on local disk, as received: {@code <spoolDir>/<job>/people/<dataset>/<date>/
 * q<query>/page-<n>.json}. A page is written to a temporary file and renamed, so a file that exists is
 * whole; the state database says which pages count (a page written but not checkpointed before a crash is
 * overwritten when read again). Not thread-safe: one snapshot run at a time (the job lock).
 */
final class PageSpool {

    private final Path root;

    PageSpool(Path spoolDir, String job, String dataset, LocalDate date) {
        this.root = spoolDir.resolve(job).resolve("people").resolve(dataset.replace('/', '_')).resolve(date.toString());
    }

    void write(int query, int page, byte[] body) {
        try {
            Path dir = Files.createDirectories(root.resolve("q" + query));
            Path tmp = dir.resolve("page-" + page + ".json.tmp");
            Files.write(tmp, body);
            Files.move(tmp, dir.resolve("page-" + page + ".json"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot spool page " + page + " of profile query " + query + " in " + root, e);
        }
    }

    byte[] read(int query, int page) throws IOException {
        return Files.readAllBytes(root.resolve("q" + query).resolve("page-" + page + ".json"));
    }

    /** Drops a query's pages (it restarts, or was split). */
    void discard(int query) {
        delete(root.resolve("q" + query));
    }

    /** Drops the whole snapshot's pages (it is published). */
    void discardAll() {
        delete(root);
    }

    Path root() {
        return root;
    }

    private static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete spooled pages in " + dir, e);
        }
    }
}
