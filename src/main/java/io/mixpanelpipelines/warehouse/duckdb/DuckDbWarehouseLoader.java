package io.mixpanelpipelines.warehouse.duckdb;

import io.mixpanelpipelines.storage.Storage;
import io.mixpanelpipelines.warehouse.LocalParquetFiles;
import io.mixpanelpipelines.warehouse.SqlScript;
import io.mixpanelpipelines.dataset.PublishedDay;
import io.mixpanelpipelines.warehouse.WarehouseLoadException;
import io.mixpanelpipelines.warehouse.WarehouseLoader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Loads days into a table of a DuckDB database file ({@code jdbc:duckdb:/path/analytics.duckdb}), for
 * small teams and demos. A day is replaced by {@code DELETE} of its rows and {@code INSERT ... SELECT}
 * from {@code read_parquet} of the manifest's files, in one transaction: DuckDB's transactions are atomic
 * and a killed process rolls back on the next open. The table is created on first use
 * ({@code sql/warehouse/duckdb/events.sql}; Flyway has no DuckDB support). A DuckDB file has one writer:
 * the connection is opened per load and closed after it.
 */
public final class DuckDbWarehouseLoader implements WarehouseLoader {

    private final String url;
    private final Storage storage;
    private final String schema;
    private final String table;

    public DuckDbWarehouseLoader(String url, Storage storage, String schema, String table) {
        this.url = url;
        this.storage = storage;
        this.schema = schema;
        this.table = table;
    }

    @Override
    public void prepare() {
        List<String> ddl = SqlScript.read("sql/warehouse/duckdb/events.sql", schema, table);
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            SqlScript.execute(s, ddl);
        } catch (SQLException e) {
            throw new WarehouseLoadException("cannot create " + schema + "." + table + " in " + url + ": " + e.getMessage(), e);
        }
    }

    @Override
    public long load(PublishedDay day, LongConsumer progress) {
        LocalDate date = day.day();
        String target = schema + "." + table;
        try (LocalParquetFiles files = LocalParquetFiles.of(day, storage);
                Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            try {
                s.execute("DELETE FROM " + target + " WHERE event_date = DATE '" + date + "'");
                long rows = s.executeUpdate("INSERT INTO " + target + " SELECT DATE '" + date + "', event_name, time, "
                        + "distinct_id, insert_id, device_id, user_id, mp_processing_time, properties::JSON "
                        + "FROM read_parquet(" + files.duckDbList() + ")");
                if (rows != day.rows()) {
                    throw new WarehouseLoadException(date + ": the files hold " + rows + " rows, the manifest says " + day.rows());
                }
                c.commit();
                progress.accept(rows);
                return rows;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new WarehouseLoadException("loading " + date + " into " + target + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void checkConnection() {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                java.sql.ResultSet rs = s.executeQuery("SELECT 1")) {
            rs.next();
        } catch (SQLException e) {
            throw new WarehouseLoadException("cannot query " + url + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
    }
}
