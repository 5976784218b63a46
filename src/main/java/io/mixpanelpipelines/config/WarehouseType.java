package io.mixpanelpipelines.config;

/** The warehouses a job can load its published days into ({@code warehouse.type}). */
public enum WarehouseType {
    POSTGRESQL, DUCKDB, BIGQUERY, SNOWFLAKE, REDSHIFT
}
