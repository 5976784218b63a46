package io.mixpanelpipelines.warehouse;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The columns the writers of issue 13 publish, as DuckDB reads them, and the check that a file has them.
 * A profile file: {@code distinct_id} (BINARY UTF8), {@code properties} (BINARY, JSON logical type),
 * {@code last_seen} (INT64 TIMESTAMP(MICROS, UTC)). An identity file: {@code distinct_id},
 * {@code resolved_distinct_id} (BINARY UTF8), {@code first_seen} (INT64 TIMESTAMP(MICROS, UTC)).
 */
public final class DatasetColumns {

    public static final List<String> PROFILE = List.of("distinct_id VARCHAR", "properties JSON",
            "last_seen TIMESTAMP WITH TIME ZONE");
    public static final List<String> IDENTITY = List.of("distinct_id VARCHAR", "resolved_distinct_id VARCHAR",
            "first_seen TIMESTAMP WITH TIME ZONE");

    private static final Pattern GROUP_ID = Pattern.compile("[A-Za-z0-9_]{1,40}");

    private DatasetColumns() {
    }

    /** The columns a dataset's files hold. */
    public static List<String> of(DatasetFolder folder) {
        return folder.dataset().equals(DatasetFolders.IDENTITY) ? IDENTITY : PROFILE;
    }

    /**
     * Checks each file on its own (read_parquet of several files would take the first one's schema).
     *
     * @param duck a DuckDB connection
     * @throws WarehouseLoadException naming the file and the columns it has
     */
    public static void check(Connection duck, DatasetFolder folder, LocalParquetFiles files) {
        List<String> expected = of(folder);
        for (java.nio.file.Path p : files.paths()) {
            List<String> actual = new ArrayList<>();
            String lit = "'" + p.toAbsolutePath().toString().replace("'", "''") + "'";
            try (Statement s = duck.createStatement();
                    ResultSet rs = s.executeQuery("DESCRIBE SELECT * FROM read_parquet(" + lit + ", hive_partitioning = false)")) {
                while (rs.next()) {
                    actual.add(rs.getString(1) + " " + rs.getString(2));
                }
            } catch (SQLException e) {
                throw new WarehouseLoadException(folder.dataset() + "/" + folder.folder().fileName() + "/"
                        + p.getFileName() + " is not a readable Parquet file: " + e.getMessage(), e);
            }
            if (!actual.equals(expected)) {
                throw new WarehouseLoadException(folder.dataset() + "/" + folder.folder().fileName() + "/" + p.getFileName()
                        + " has the columns " + actual + ", expected " + expected + ": nothing of " + folder.dataset()
                        + " loaded");
            }
        }
    }

    /**
     * Checks the folder's files with an in-process DuckDB; files on S3 or GCS are downloaded first (the
     * cloud warehouses read them themselves, but a file with other columns must fail before anything loads).
     */
    public static void validate(DatasetFolder folder, io.mixpanelpipelines.storage.Storage storage) {
        try (LocalParquetFiles files = LocalParquetFiles.of(folder.label(), folder.files(), storage);
                Connection duck = java.sql.DriverManager.getConnection("jdbc:duckdb:")) {
            check(duck, folder, files);
        } catch (SQLException e) {
            throw new WarehouseLoadException("cannot open DuckDB to read " + folder.label() + ": " + e.getMessage(), e);
        }
    }

    /** The table of a group profile dataset {@code groups/<id>}: {@code groups_<id>}. */
    public static String groupTable(String dataGroupId) {
        if (!GROUP_ID.matcher(dataGroupId).matches()) {
            throw new WarehouseLoadException("groups/" + dataGroupId + ": a data_group_id must be 1-40 letters, digits or _"
                    + " to name a table");
        }
        return "groups_" + dataGroupId.toLowerCase(java.util.Locale.ROOT);
    }
}
