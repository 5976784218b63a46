package io.mixpanelpipelines.warehouse.bigquery;

import com.google.cloud.bigquery.BigQuery;
import com.google.cloud.bigquery.BigQueryException;
import com.google.cloud.bigquery.FieldValueList;
import com.google.cloud.bigquery.QueryJobConfiguration;
import com.google.cloud.bigquery.TableResult;
import io.mixpanelpipelines.storage.Storage;
import io.mixpanelpipelines.warehouse.DatasetColumns;
import io.mixpanelpipelines.warehouse.DatasetFolder;
import io.mixpanelpipelines.warehouse.ProfileIdentityLoader;
import io.mixpanelpipelines.warehouse.WarehouseLoadException;
import java.util.List;

/**
 * Loads people and identity mappings into BigQuery: each of {@link BigQueryProfileIdentityStatements}'
 * lists runs as one script (one query job); BigQuery reads the files from GCS itself. Files are checked
 * with DuckDB first (downloaded). Credentials: Application Default Credentials only.
 */
public final class BigQueryProfileIdentityLoader implements ProfileIdentityLoader {

    private final BigQuery bigQuery;
    private final BigQueryProfileIdentityStatements statements;
    private final Storage storage;

    public BigQueryProfileIdentityLoader(BigQuery bigQuery, BigQueryProfileIdentityStatements statements, Storage storage) {
        this.bigQuery = bigQuery;
        this.statements = statements;
        this.storage = storage;
    }

    @Override
    public void prepare() {
        script(statements.prepare(), "prepare");
    }

    @Override
    public void validate(DatasetFolder folder) {
        DatasetColumns.validate(folder, storage);
    }

    @Override
    public long replaceProfiles(String table, DatasetFolder snapshot) {
        script(statements.prepareProfileTable(table), snapshot.label());
        script(statements.replaceProfiles(table, snapshot), snapshot.label());
        return count(table, snapshot);
    }

    @Override
    public long mergeProfiles(String table, DatasetFolder changes) {
        script(statements.mergeProfiles(table, changes), changes.label());
        return count(table, changes);
    }

    @Override
    public long loadIdentityDay(DatasetFolder day) {
        script(statements.loadIdentityDay(day), day.label());
        return count("identity_mapping_days", day);
    }

    @Override
    public void removeIdentityDay(java.time.LocalDate day) {
        script(statements.removeIdentityDay(day), "identity_mappings/date=" + day);
    }

    private long count(String table, DatasetFolder folder) {
        TableResult r = script(List.of(statements.countRows(table, folder)), folder.label());
        for (FieldValueList row : r.iterateAll()) {
            return row.get(0).getLongValue();
        }
        throw new WarehouseLoadException("BigQuery answered no count for " + folder.label());
    }

    private TableResult script(List<String> sql, String what) {
        try {
            return bigQuery.query(QueryJobConfiguration.newBuilder(String.join(";\n", sql)).setUseLegacySql(false).build());
        } catch (BigQueryException e) {
            throw new WarehouseLoadException("BigQuery failed loading " + what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WarehouseLoadException("interrupted while loading " + what, e);
        }
    }

    @Override
    public void close() {
    }
}
