package io.mixpanelpipelines.warehouse.bigquery;

import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.BigQueryException;
import com.google.cloud.bigquery.Job;
import com.google.cloud.bigquery.JobInfo;
import com.google.cloud.bigquery.JobStatistics;
import io.mixpanelpipelines.dataset.PublishedDay;
import io.mixpanelpipelines.warehouse.WarehouseLoadException;
import io.mixpanelpipelines.warehouse.WarehouseLoader;
import java.util.function.LongConsumer;

/**
 * Loads a day into BigQuery with one load job ({@link BigQueryLoadJobs}); BigQuery reads the files from
 * GCS itself. A load job is atomic: the partition is replaced when the job succeeds, untouched otherwise.
 * Retries are the client library's (one layer). Credentials: Application Default Credentials only.
 */
public final class BigQueryWarehouseLoader implements WarehouseLoader {

    private final BigQuery bigQuery;
    private final BigQueryLoadJobs jobs;

    public BigQueryWarehouseLoader(BigQuery bigQuery, BigQueryLoadJobs jobs) {
        this.bigQuery = bigQuery;
        this.jobs = jobs;
    }

    @Override
    public void prepare() {
        // the load job creates the table (CREATE_IF_NEEDED with the schema and partitioning)
    }

    @Override
    public long load(PublishedDay day, LongConsumer progress) {
        try {
            Job job = bigQuery.create(JobInfo.of(jobs.configuration(day))).waitFor();
            if (job == null) {
                throw new WarehouseLoadException("the BigQuery load job of " + day.day() + " disappeared");
            }
            if (job.getStatus().getError() != null) {
                throw new WarehouseLoadException("the BigQuery load job of " + day.day() + " failed: " + job.getStatus().getError());
            }
            JobStatistics.LoadStatistics stats = job.getStatistics();
            long rows = stats.getOutputRows() == null ? -1 : stats.getOutputRows();
            if (rows != day.rows()) {
                throw new WarehouseLoadException(day.day() + ": BigQuery loaded " + rows + " rows, the manifest says " + day.rows());
            }
            progress.accept(rows);
            return rows;
        } catch (BigQueryException e) {
            throw new WarehouseLoadException("the BigQuery load of " + day.day() + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WarehouseLoadException("interrupted while loading " + day.day(), e);
        }
    }

    /** A {@code SELECT 1} query job: it scans no table, so it bills nothing. */
    @Override
    public void checkConnection() {
        try {
            bigQuery.query(com.google.cloud.bigquery.QueryJobConfiguration.newBuilder("SELECT 1").setUseLegacySql(false).build());
        } catch (BigQueryException e) {
            throw new WarehouseLoadException("cannot query BigQuery: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WarehouseLoadException("interrupted while querying BigQuery", e);
        }
    }

    @Override
    public void close() {
    }
}
