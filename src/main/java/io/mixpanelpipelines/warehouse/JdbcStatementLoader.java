package io.mixpanelpipelines.warehouse;

import io.mixpanelpipelines.dataset.PublishedDay;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.function.Function;
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
        run(statements.prepare(), true, c -> 0L);
    }

    @Override
    public long load(PublishedDay day, LongConsumer progress) {
        long rows = run(statements.load(day), false, c -> {
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
        });
        progress.accept(rows);
        return rows;
    }

    private long run(List<String> sql, boolean autoCommit, Function<Connection, Long> check) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(autoCommit);
            try (Statement s = c.createStatement()) {
                for (String statement : sql) {
                    s.execute(statement);
                }
                long result = check.apply(c);
                if (!autoCommit) {
                    c.commit();
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                if (!autoCommit) {
                    c.rollback();
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new WarehouseLoadException("warehouse statement failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void checkConnection() {
        WarehouseLoader.selectOne(dataSource);
    }

    @Override
    public void close() {
        if (dataSource instanceof AutoCloseable a) {
            try {
                a.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot close the warehouse connection pool", e);
            }
        }
    }
}
