package io.mixpanelpipelines.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Writes the profile and identity datasets of issue 13 as their writers publish them (the fixed layout of
 * the issue), with DuckDB's {@code COPY ... (FORMAT parquet, COMPRESSION zstd)}: BINARY UTF8 ids,
 * {@code properties} as BINARY with the JSON logical type (its text byte for byte), timestamps as INT64
 * TIMESTAMP(MICROS, UTC). {@code _SUCCESS} is written last, or not at all for an incomplete folder.
 */
public final class ProfileIdentityFiles {

    /** A profile row; {@code lastSeen} may be null. */
    public record Profile(String distinctId, String properties, Instant lastSeen) {
    }

    /** An identity candidate row. */
    public record Mapping(String distinctId, String resolvedDistinctId, Instant firstSeen) {
    }

    private final Path project;

    /** @param root the destination's root folder; the project is {@code 123456} */
    public ProfileIdentityFiles(Path root) {
        this.project = root.resolve("123456");
    }

    /** {@code people/snapshot_date=D/} ({@code dataset} may also be {@code people_changes} or {@code groups/<id>}). */
    public Path profiles(String dataset, LocalDate date, List<Profile> rows, boolean success) throws Exception {
        Path folder = project.resolve(dataset).resolve("snapshot_date=" + date);
        write(folder, rows.size(), (row, i) -> {
            Profile p = rows.get(i);
            row.append(p.distinctId()).append(p.properties());
            if (p.lastSeen() == null) {
                row.appendNull();
            } else {
                row.append(micros(p.lastSeen()));
            }
        }, "c1 AS distinct_id, c2::JSON AS properties, make_timestamp(c3)::TIMESTAMPTZ AS last_seen", success);
        return folder;
    }

    /** {@code identity_mappings/date=D/part-00000.parquet}, replacing the folder's previous content. */
    public Path mappings(LocalDate date, List<Mapping> rows, boolean success) throws Exception {
        Path folder = project.resolve("identity_mappings").resolve("date=" + date);
        write(folder, rows.size(), (row, i) -> {
            Mapping m = rows.get(i);
            row.append(m.distinctId()).append(m.resolvedDistinctId()).append(micros(m.firstSeen()));
        }, "c1 AS distinct_id, c2 AS resolved_distinct_id, make_timestamp(c3)::TIMESTAMPTZ AS first_seen", success);
        return folder;
    }

    /** Writes a file with arbitrary columns into a folder, for the wrong-columns case. */
    public void raw(Path folder, String select) throws Exception {
        Files.createDirectories(folder);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("COPY (" + select + ") TO '" + folder.resolve("part-00000.parquet") + "' (FORMAT parquet, COMPRESSION zstd)");
        }
    }

    private interface Binder {
        /** Appends row {@code i}'s three values (c1, c2, c3) to {@code row}. */
        void bind(DuckDBAppender row, int i) throws Exception;
    }

    private static long micros(Instant t) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, t);
    }

    private static void write(Path folder, int n, Binder binder, String select, boolean success) throws Exception {
        Files.createDirectories(folder);
        Files.deleteIfExists(folder.resolve("_SUCCESS"));
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("SET TimeZone = 'UTC'");
            s.execute("CREATE TABLE rows (c1 VARCHAR, c2 VARCHAR, c3 BIGINT, seq INT)");
            // DuckDB's appender: a batch of prepared INSERTs took seconds for 20,000 rows
            try (DuckDBAppender rows = c.unwrap(DuckDBConnection.class).createAppender("main", "rows")) {
                for (int i = 0; i < n; i++) {
                    rows.beginRow();
                    binder.bind(rows, i);
                    rows.append(i).endRow();
                }
                rows.flush(); // close() would flush the last rows too, but swallow its failure
            }
            s.execute("COPY (SELECT " + select + " FROM rows ORDER BY seq) TO '" + folder.resolve("part-00000.parquet")
                    + "' (FORMAT parquet, COMPRESSION zstd)");
        }
        if (success) {
            Files.writeString(folder.resolve("_SUCCESS"), "");
        }
    }
}
