package io.mixpanelpipelines.warehouse.duckdb;

import io.mixpanelpipelines.storage.Storage;
import io.mixpanelpipelines.warehouse.DatasetColumns;
import io.mixpanelpipelines.warehouse.DatasetFolder;
import io.mixpanelpipelines.warehouse.LocalParquetFiles;
import io.mixpanelpipelines.warehouse.ProfileIdentityLoader;
import io.mixpanelpipelines.warehouse.SqlScript;
import io.mixpanelpipelines.warehouse.WarehouseLoadException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Loads people, group profiles and identity mappings into a DuckDB warehouse file (tables of
 * {@code sql/warehouse/duckdb/people_identity.sql}). Each load is one transaction: DuckDB's MVCC lets
 * readers on other connections see the old rows until the commit, then the new ones, and a killed process
 * rolls back on the next open. A snapshot replaces {@code people} by DELETE + INSERT (the table keeps its
 * identity, so views on it stay valid); identity days are corrected as in PostgreSQL.
 */
public final class DuckDbProfileIdentityLoader implements ProfileIdentityLoader {

    private final String url;
    private final Storage storage;
    private final String schema;
    private final String eventsTable;

    public DuckDbProfileIdentityLoader(String url, Storage storage, String schema, String eventsTable) {
        this.url = url;
        this.storage = storage;
        this.schema = schema;
        this.eventsTable = eventsTable;
    }

    @Override
    public void prepare() {
        new DuckDbWarehouseLoader(url, storage, schema, eventsTable).prepare(); // the view needs the events table
        List<String> ddl = SqlScript.read("sql/warehouse/duckdb/people_identity.sql", schema, eventsTable);
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            SqlScript.execute(s, ddl);
        } catch (SQLException e) {
            throw new WarehouseLoadException("cannot create the people and identity tables in " + schema + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void validate(DatasetFolder folder) {
        DatasetColumns.validate(folder, storage);
    }

    @Override
    public long replaceProfiles(String table, DatasetFolder snapshot) {
        String t = schema + "." + table;
        return inTransaction(snapshot, (s, files) -> {
            s.execute("CREATE TABLE IF NOT EXISTS " + t + " AS SELECT * FROM " + schema + ".people LIMIT 0");
            s.execute("DELETE FROM " + t);
            return s.executeUpdate("INSERT INTO " + t + " (distinct_id, properties, last_seen) " + latestProfiles(files));
        });
    }

    @Override
    public long mergeProfiles(String table, DatasetFolder changes) {
        String t = schema + "." + table;
        return inTransaction(changes, (s, files) -> {
            s.execute("CREATE TEMP TABLE mp_people_changes AS " + latestProfiles(files));
            s.execute("DELETE FROM " + t + " WHERE distinct_id IN (SELECT distinct_id FROM mp_people_changes)");
            long rows = s.executeUpdate("INSERT INTO " + t + " (distinct_id, properties, last_seen) "
                    + "SELECT distinct_id, properties, last_seen FROM mp_people_changes");
            s.execute("DROP TABLE mp_people_changes");
            return rows;
        });
    }

    @Override
    public long loadIdentityDay(DatasetFolder day) {
        String days = schema + ".identity_mapping_days";
        String date = "DATE '" + day.date() + "'";
        return inTransaction(day, (s, files) -> {
            // the ids the day held before its rerun and the ids it holds now: only their mapping can change
            s.execute("CREATE TEMP TABLE mp_identity_touched AS SELECT distinct_id FROM " + days + " WHERE mapping_date = " + date);
            s.execute("DELETE FROM " + days + " WHERE mapping_date = " + date);
            long rows = files.paths().isEmpty() ? 0 : s.executeUpdate("INSERT INTO " + days + " SELECT " + date + ", distinct_id, resolved_distinct_id, "
                    + "first_seen FROM " + files.readParquet());
            s.execute("INSERT INTO mp_identity_touched SELECT distinct_id FROM " + days + " WHERE mapping_date = " + date);
            s.execute("DELETE FROM " + schema + ".identity_mappings WHERE distinct_id IN (SELECT distinct_id FROM mp_identity_touched)");
            s.execute("INSERT INTO " + schema + ".identity_mappings SELECT distinct_id, arg_min(resolved_distinct_id, "
                    + "(first_seen, resolved_distinct_id)), min(first_seen) FROM " + days
                    + " WHERE distinct_id IN (SELECT distinct_id FROM mp_identity_touched) GROUP BY distinct_id");
            s.execute("DROP TABLE mp_identity_touched");
            return rows;
        });
    }

    @Override
    public void removeIdentityDay(java.time.LocalDate day) {
        loadIdentityDay(DatasetFolder.gone(day));
    }

    /** One row per distinct_id: the latest last_seen (then the smallest properties text, to be deterministic). */
    private static String latestProfiles(LocalParquetFiles files) {
        return "SELECT distinct_id, properties, last_seen FROM (SELECT *, row_number() OVER (PARTITION BY distinct_id "
                + "ORDER BY last_seen DESC NULLS LAST, properties::VARCHAR) AS rn FROM " + files.readParquet()
                + ") WHERE rn = 1";
    }

    private interface Work {
        long run(Statement s, LocalParquetFiles files) throws SQLException;
    }

    private long inTransaction(DatasetFolder folder, Work work) {
        try (LocalParquetFiles files = LocalParquetFiles.of(folder.label(), folder.files(), storage);
                Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            try {
                long rows = work.run(s, files);
                c.commit();
                return rows;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new WarehouseLoadException("loading " + folder.label() + " into " + schema + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
    }
}
