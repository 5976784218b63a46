package io.mixpanelpipelines.warehouse;

import io.mixpanelpipelines.storage.Storage;
import java.sql.ResultSet;
import java.util.List;
import javax.sql.DataSource;

/**
 * Loads people and identity mappings into Snowflake or Redshift with their {@link ProfileIdentityStatements},
 * each load in one transaction through a JDBC pool. Files are checked with DuckDB before (downloaded).
 */
public final class JdbcProfileIdentityLoader implements ProfileIdentityLoader {

    private final DataSource dataSource;
    private final ProfileIdentityStatements statements;
    private final Storage storage;

    public JdbcProfileIdentityLoader(DataSource dataSource, ProfileIdentityStatements statements, Storage storage) {
        this.dataSource = dataSource;
        this.statements = statements;
        this.storage = storage;
    }

    @Override
    public void prepare() {
        run(statements.prepare(), true, null, null);
    }

    @Override
    public void validate(DatasetFolder folder) {
        DatasetColumns.validate(folder, storage);
    }

    @Override
    public long replaceProfiles(String table, DatasetFolder snapshot) {
        run(statements.prepareProfileTable(table), true, null, null);
        return run(statements.replaceProfiles(table, snapshot), false, table, snapshot);
    }

    @Override
    public long mergeProfiles(String table, DatasetFolder changes) {
        return run(statements.mergeProfiles(table, changes), false, table, changes);
    }

    @Override
    public long loadIdentityDay(DatasetFolder day) {
        return run(statements.loadIdentityDay(day), false, "identity_mapping_days", day);
    }

    @Override
    public void removeIdentityDay(java.time.LocalDate day) {
        run(statements.removeIdentityDay(day), false, null, null);
    }

    /** Runs the statements; with a {@code folder}, in one transaction that returns the rows {@code table} then holds. */
    private long run(List<String> sql, boolean autoCommit, String table, DatasetFolder folder) {
        return JdbcStatementRunner.run(dataSource, sql, autoCommit, (c, s) -> {
            if (folder == null) {
                return 0;
            }
            try (ResultSet rs = s.executeQuery(statements.countRows(table, folder))) {
                rs.next();
                return rs.getLong(1);
            }
        }, "warehouse statement failed" + (folder == null ? "" : " loading " + folder.label()));
    }

    @Override
    public void close() {
        DataSourcePool.close(dataSource);
    }
}
