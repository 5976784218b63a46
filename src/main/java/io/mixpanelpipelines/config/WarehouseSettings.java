package io.mixpanelpipelines.config;


/**
 * The {@code warehouse:} section of a job file. Holds no secret, only where to find each one.
 *
 * @param type which warehouse
 * @param url the JDBC URL ({@code jdbc:postgresql://...}, {@code jdbc:duckdb:/path/file.duckdb},
 *     {@code jdbc:snowflake://...}, {@code jdbc:redshift://...}); null for BigQuery
 * @param username null when the warehouse needs none (DuckDB, BigQuery, PostgreSQL trust auth)
 * @param password null when the warehouse needs none
 * @param schema the schema (BigQuery: dataset) of {@code table: schema.table}
 * @param table the table of {@code table: schema.table}
 * @param projectId BigQuery only: the project that runs the load jobs and holds the dataset (null: the
 *     credentials' default project)
 * @param stage Snowflake only: the external stage over the destination's root ({@code db.schema.stage})
 * @param iamRole Redshift only: the IAM role ARN Redshift assumes to read the destination bucket
 */
public record WarehouseSettings(WarehouseType type, String url, SecretSource username, SecretSource password,
        String schema, String table, String projectId, String stage, String iamRole) {

    /** {@code schema.table}, as configured. */
    public String qualifiedTable() {
        return schema + "." + table;
    }

    /** Names this target in the load ledger and in messages: type and table, never credentials. */
    public String target() {
        return type.name().toLowerCase(java.util.Locale.ROOT) + ":" + qualifiedTable();
    }
}
