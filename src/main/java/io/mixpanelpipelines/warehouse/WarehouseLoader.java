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

    @Override
    void close();
}
