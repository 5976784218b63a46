package io.mixpanelpipelines.warehouse;

import io.mixpanelpipelines.dataset.PublishedDay;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.function.LongConsumer;
import javax.sql.DataSource;

/**
 * A loader for warehouses that read the day's files themselves (Snowflake, Redshift): it sends the
 * statements its {@link LoadStatements} builds, the day's in one transaction, through a JDBC pool.
 */
public final class JdbcStatementLoader implements WarehouseLoader {

    private final DataSource dataSource;
    private final LoadStatements statements;

    public JdbcStatementLoader(DataSource dataSource, LoadStatements statements) {
        this.dataSource = dataSource;
        this.statements = statements;
    }

    /** The statements of one warehouse, built without a connection so tests compare them with golden files. */
    public interface LoadStatements {
        /** Creates the table if it does not exist (autocommit). */
        List<String> prepare();

        /** Replaces one day, run in one transaction: the day's rows are deleted first. */
        List<String> load(PublishedDay day);

        /** How the warehouse reports the rows a day holds after the load (for the check against the manifest). */
        String countRows(PublishedDay day);
    }

    @Override
    public void prepare() {
        JdbcStatementRunner.run(dataSource, statements.prepare(), true, (c, s) -> 0L, "warehouse statement failed");
    }

    @Override
    public long load(PublishedDay day, LongConsumer progress) {
        long rows = JdbcStatementRunner.run(dataSource, statements.load(day), false, (c, unused) -> {
            try (Statement s = c.createStatement(); var rs = s.executeQuery(statements.countRows(day))) {
                rs.next();
                long n = rs.getLong(1);
                if (n != day.rows()) {
                    throw new WarehouseLoadException(day.day() + ": the warehouse holds " + n + " rows, the manifest says " + day.rows());
                }
                return n;
            } catch (SQLException e) {
                throw new WarehouseLoadException("cannot count the rows of " + day.day() + ": " + e.getMessage(), e);
            }
        }, "warehouse statement failed");
        progress.accept(rows);
        return rows;
    }

    @Override
    public void checkConnection() {
        WarehouseLoader.selectOne(dataSource);
    }

    @Override
    public void close() {
        DataSourcePool.close(dataSource);
    }
}
