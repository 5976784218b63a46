package io.mixpanelpipelines.identity;

import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Derives a day's identity mappings from its events' Parquet files (the published day, or the parts a
 * resumed day step staged before it died), with DuckDB in this process: only the rows that can map
 * anything are read (both {@code device_id} and {@code user_id} set, or a merge event, whose
 * {@code properties} alone are read), and each goes through the same {@link IdentityRules} as a conversion.
 * Files on S3 or GCS are downloaded into {@code tempDir} first and deleted afterwards. Thread-safe.
 */
public final class EventsIdentityReader {

    private final Storage storage;
    private final Path tempDir;

    /** @param tempDir where files of object stores are downloaded for the read (a folder of the job's spool) */
    public EventsIdentityReader(Storage storage, Path tempDir) {
        this.storage = storage;
        this.tempDir = tempDir;
    }

    /**
     * Offers the mappings of the events in {@code files} to {@code out} (nothing for no files), row by row as
     * DuckDB streams them.
     */
    public void read(List<Location> files, DayIdentities out) throws IOException {
        if (files.isEmpty()) {
            return;
        }
        Path downloads = null;
        try {
            List<Path> paths = new ArrayList<>();
            for (Location f : files) {
                if (f.scheme() == Location.Scheme.FILE) {
                    paths.add(f.toPath());
                    continue;
                }
                if (downloads == null) {
                    Files.createDirectories(tempDir);
                    downloads = Files.createTempDirectory(tempDir, "identity-");
                }
                Path p = downloads.resolve(paths.size() + ".parquet");
                try (InputStream in = storage.open(f)) {
                    Files.copy(in, p);
                }
                paths.add(p);
            }
            query(paths, out);
        } finally {
            if (downloads != null) {
                deleteTree(downloads);
            }
        }
    }

    private static void query(List<Path> paths, DayIdentities out) throws IOException {
        StringBuilder list = new StringBuilder("[");
        for (Path p : paths) {
            list.append(list.length() > 1 ? ", " : "").append('\'')
                    .append(p.toAbsolutePath().toString().replace("'", "''")).append('\'');
        }
        list.append(']');
        String merge = "('" + IdentityRules.IDENTIFY + "', '" + IdentityRules.CREATE_ALIAS + "', '" + IdentityRules.MERGE + "')";
        String sql = "SELECT event_name, epoch_us(\"time\"), device_id, user_id, CASE WHEN event_name IN " + merge
                + " THEN CAST(properties AS VARCHAR) END FROM read_parquet(" + list + ")"
                + " WHERE (device_id IS NOT NULL AND user_id IS NOT NULL) OR event_name IN " + merge;
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                String name = rs.getString(1);
                long micros = rs.getLong(2);
                IdentityRules.deviceLogin(rs.getString(3), rs.getString(4), micros, out);
                String properties = rs.getString(5);
                if (properties != null) {
                    byte[] b = properties.getBytes(StandardCharsets.UTF_8);
                    IdentityRules.mergeEvent(name, b, 0, b.length, micros, out);
                }
            }
        } catch (SQLException e) {
            throw new IOException("cannot read events for identity mappings from " + paths + ": " + e.getMessage(), e);
        } catch (java.io.UncheckedIOException e) { // a spill of out failed
            throw e.getCause();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
