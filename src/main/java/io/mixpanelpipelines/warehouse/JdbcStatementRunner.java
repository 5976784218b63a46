package io.mixpanelpipelines.warehouse;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;

/**
 * Sends a list of statements through one pooled connection, for the loaders of warehouses that read the
 * files themselves ({@link JdbcStatementLoader}, {@link JdbcProfileIdentityLoader}): autocommit, or one
 * transaction committed after a check of the result and rolled back on any failure. Stateless.
 */
final class JdbcStatementRunner {

    /** What the run returns, read in the same transaction after the statements (a row count). */
    interface Result {
        long read(Connection c, Statement s) throws SQLException;
    }

    private JdbcStatementRunner() {
    }

    /**
     * @param failure the start of the {@link WarehouseLoadException}'s message when a statement fails
     *     (": " and the driver's message follow)
     */
    static long run(DataSource dataSource, List<String> sql, boolean autoCommit, Result result, String failure) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(autoCommit);
            try (Statement s = c.createStatement()) {
                for (String statement : sql) {
                    s.execute(statement);
                }
                long value = result.read(c, s);
                if (!autoCommit) {
                    c.commit();
                }
                return value;
            } catch (SQLException | RuntimeException e) {
                if (!autoCommit) {
                    c.rollback();
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new WarehouseLoadException(failure + ": " + e.getMessage(), e);
        }
    }
}
