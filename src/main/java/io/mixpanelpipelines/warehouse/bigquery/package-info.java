/**
 * BigQuery: load jobs from the day's Parquet files in GCS.
 */
package io.mixpanelpipelines.warehouse.bigquery;
