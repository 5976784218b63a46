package io.mixpanelpipelines.warehouse;

import javax.sql.DataSource;

/** What the JDBC loaders do with the connection pool they own when they are closed. Stateless. */
public final class DataSourcePool {

    private DataSourcePool() {
    }

    /** Closes {@code dataSource} if it is a pool that can be closed (a plain data source holds nothing). */
    public static void close(DataSource dataSource) {
        if (dataSource instanceof AutoCloseable a) {
            try {
                a.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot close the warehouse connection pool", e);
            }
        }
    }
}
