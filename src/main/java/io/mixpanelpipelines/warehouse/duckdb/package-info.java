/**
 * DuckDB: a local database file loaded from the day's Parquet files.
 */
package io.mixpanelpipelines.warehouse.duckdb;
