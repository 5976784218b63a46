package io.mixpanelpipelines.warehouse;

import io.mixpanelpipelines.dataset.PublishedDay;
import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A day's Parquet files as local paths, for the loaders that read them with DuckDB in this process: local
 * files are used where they are; files on S3 or GCS are downloaded through {@link Storage} into a
 * temporary folder that {@link #close()} deletes. Only reads the destination.
 */
public final class LocalParquetFiles implements AutoCloseable {

    private final List<Path> paths;
    private final Path tempDir;

    private LocalParquetFiles(List<Path> paths, Path tempDir) {
        this.paths = paths;
        this.tempDir = tempDir;
    }

    public static LocalParquetFiles of(PublishedDay day, Storage storage) {
        return of(day.day().toString(), day.files(), storage);
    }

    /** @param label names the files in the temporary folder's name and in errors (a day, a snapshot) */
    public static LocalParquetFiles of(String label, List<Location> files, Storage storage) {
        if (files.stream().allMatch(f -> f.scheme() == Location.Scheme.FILE)) {
            return new LocalParquetFiles(files.stream().map(Location::toPath).toList(), null);
        }
        try {
            Path dir = Files.createTempDirectory("mp-load-" + label + "-");
            List<Path> paths = new ArrayList<>();
            for (Location f : files) {
                Path p = dir.resolve(f.fileName());
                try (InputStream in = storage.open(f)) {
                    Files.copy(in, p, StandardCopyOption.REPLACE_EXISTING);
                }
                paths.add(p);
            }
            return new LocalParquetFiles(paths, dir);
        } catch (IOException e) {
            throw new WarehouseLoadException("cannot read the files of " + label + ": " + e, e);
        }
    }

    public List<Path> paths() {
        return paths;
    }

    /** The files as a DuckDB list literal for {@code read_parquet([...])}, quotes escaped. */
    public String duckDbList() {
        StringBuilder sb = new StringBuilder("[");
        for (Path p : paths) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append('\'').append(p.toAbsolutePath().toString().replace("'", "''")).append('\'');
        }
        return sb.append(']').toString();
    }

    /**
     * {@code read_parquet([...], hive_partitioning = false)}: the folder names ({@code snapshot_date=...},
     * {@code date=...}) are not columns of the files, whatever DuckDB would guess from them.
     */
    public String readParquet() {
        return "read_parquet(" + duckDbList() + ", hive_partitioning = false)";
    }

    @Override
    public void close() {
        if (tempDir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(tempDir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
