package io.mixpanelpipelines.warehouse.support;

import io.mixpanelpipelines.config.WarehouseSettings;
import io.mixpanelpipelines.storage.Storage;
import io.mixpanelpipelines.warehouse.JdbcProfileIdentityLoader;
import io.mixpanelpipelines.warehouse.JdbcStatementLoader;
import io.mixpanelpipelines.warehouse.ProfileIdentityLoader;
import io.mixpanelpipelines.warehouse.ProfileIdentityStatements;
import io.mixpanelpipelines.warehouse.bigquery.BigQueryProfileIdentityLoader;
import io.mixpanelpipelines.warehouse.bigquery.BigQueryProfileIdentityStatements;
import io.mixpanelpipelines.warehouse.redshift.RedshiftProfileIdentityStatements;
import io.mixpanelpipelines.warehouse.snowflake.SnowflakeProfileIdentityStatements;
import io.mixpanelpipelines.warehouse.WarehouseLoader;
import com.google.cloud.bigquery.BigQueryOptions;
import io.mixpanelpipelines.dataset.DatasetLayout;
import io.mixpanelpipelines.warehouse.bigquery.BigQueryLoadJobs;
import io.mixpanelpipelines.warehouse.bigquery.BigQueryWarehouseLoader;
import io.mixpanelpipelines.warehouse.redshift.RedshiftLoadStatements;
import io.mixpanelpipelines.warehouse.snowflake.SnowflakeLoadStatements;
import java.util.Map;

/** The loaders of warehouses that read the day's files from the object store themselves. */
final class CloudWarehouseLoaders {

    private CloudWarehouseLoaders() {
    }

    static WarehouseLoader create(WarehouseSettings w, Map<String, String> environment, DatasetLayout layout) {
        return switch (w.type()) {
            case BIGQUERY -> {
                BigQueryOptions.Builder options = BigQueryOptions.newBuilder();
                if (w.projectId() != null) {
                    options.setProjectId(w.projectId());
                }
                yield new BigQueryWarehouseLoader(options.build().getService(),
                        new BigQueryLoadJobs(w.projectId(), w.schema(), w.table(), layout));
            }
            // the drivers are not dependencies: the image and the build's lib/ext/ carry them (JdbcDriver)
            case SNOWFLAKE -> jdbc(w, environment, JdbcDriver.SNOWFLAKE,
                    new SnowflakeLoadStatements(w.qualifiedTable(), w.stage(), layout.root()));
            case REDSHIFT -> jdbc(w, environment, JdbcDriver.REDSHIFT, new RedshiftLoadStatements(w.qualifiedTable(), w.iamRole()));
            default -> throw new IllegalArgumentException("not a cloud warehouse: " + w.type());
        };
    }

    static ProfileIdentityLoader createProfileIdentity(WarehouseSettings w, Map<String, String> environment,
            Storage storage, DatasetLayout layout) {
        return switch (w.type()) {
            case BIGQUERY -> {
                BigQueryOptions.Builder options = BigQueryOptions.newBuilder();
                if (w.projectId() != null) {
                    options.setProjectId(w.projectId());
                }
                yield new BigQueryProfileIdentityLoader(options.build().getService(),
                        new BigQueryProfileIdentityStatements(w.projectId(), w.schema(), w.table()), storage);
            }
            case SNOWFLAKE -> jdbc(w, environment, JdbcDriver.SNOWFLAKE, new SnowflakeProfileIdentityStatements(w.schema(),
                    w.qualifiedTable(), w.stage(), layout.root()), storage);
            case REDSHIFT -> jdbc(w, environment, JdbcDriver.REDSHIFT,
                    new RedshiftProfileIdentityStatements(w.schema(), w.qualifiedTable(), w.iamRole()), storage);
            default -> throw new IllegalArgumentException("not a cloud warehouse: " + w.type());
        };
    }

    private static ProfileIdentityLoader jdbc(WarehouseSettings w, Map<String, String> environment, JdbcDriver driver,
            ProfileIdentityStatements statements, Storage storage) {
        ClassLoader loader = driver.locate(environment);
        try {
            return new DriverContextProfileLoader(new JdbcProfileIdentityLoader(
                    WarehouseLoaders.pool(w, environment, driver.driverClass(), loader), statements, storage), loader);
        } catch (RuntimeException e) {
            JdbcDriver.close(loader);
            throw e;
        }
    }

    private static WarehouseLoader jdbc(WarehouseSettings w, Map<String, String> environment, JdbcDriver driver,
            JdbcStatementLoader.LoadStatements statements) {
        ClassLoader loader = driver.locate(environment);
        try {
            return new DriverContextLoader(new JdbcStatementLoader(WarehouseLoaders.pool(w, environment, driver.driverClass(), loader),
                    statements), loader);
        } catch (RuntimeException e) {
            JdbcDriver.close(loader);
            throw e;
        }
    }
}
