package io.mixpanelpipelines.warehouse;

import io.mixpanelpipelines.dataset.PublishedDay;

/**
 * Loads published days into one warehouse table.
 *
 * <p>The contract every implementation keeps (and {@code AbstractWarehouseLoaderContractTests} checks): a
 * {@link #load} is <b>atomic</b> (readers see the day's old rows or its new rows, never a mix, and a load
 * that fails or is killed leaves the old rows) and <b>idempotent</b> (after it, the table holds exactly the
 * manifest's rows for that day, whatever it held before: nothing, the same day, an older version of it,
 * or what a crashed load left). Other days are never touched. A loader never writes to the destination's
 * files and never talks to Mixpanel. Not thread-safe: one load at a time per instance.
 */
public interface WarehouseLoader extends AutoCloseable {

    /** Creates or migrates the table. Called once before the first load; cheap when nothing changes. */
    void prepare();

    /**
     * Replaces the day's rows with the rows of the manifest's files.
     *
     * @param progress told the rows sent so far, now and then (for the console)
     * @return rows loaded, equal to the manifest's row count
     * @throws WarehouseLoadException when the load failed; the table is as it was
     */
    long load(PublishedDay day, java.util.function.LongConsumer progress);

    /**
     * Connects to the warehouse and runs a trivial query ({@code SELECT 1}), for {@code check}: proves the
     * address, the driver and the credentials without touching the table.
     *
     * @throws WarehouseLoadException naming what failed (never a credential)
     */
    void checkConnection();

    /** Runs {@code SELECT 1} on a new connection of {@code dataSource}; for the JDBC loaders' {@link #checkConnection}. */
    static void selectOne(javax.sql.DataSource dataSource) {
        try (java.sql.Connection c = dataSource.getConnection(); java.sql.Statement s = c.createStatement();
                java.sql.ResultSet rs = s.executeQuery("SELECT 1")) {
            if (!rs.next() || rs.getInt(1) != 1) {
                throw new WarehouseLoadException("SELECT 1 did not answer 1");
            }
        } catch (java.sql.SQLException e) {
            throw new WarehouseLoadException("cannot query the warehouse: " + e.getMessage(), e);
        }
    }

    @Override
    void close();
}
