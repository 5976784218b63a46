package io.mixpanelpipelines.warehouse.support;

import io.mixpanelpipelines.config.WarehouseSettings;
import io.mixpanelpipelines.warehouse.ProfileIdentityLoader;
import io.mixpanelpipelines.warehouse.WarehouseLoader;
import io.mixpanelpipelines.warehouse.duckdb.DuckDbProfileIdentityLoader;
import io.mixpanelpipelines.warehouse.postgresql.PostgresProfileIdentityLoader;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.mixpanelpipelines.config.InvalidJobException;
import io.mixpanelpipelines.dataset.DatasetLayout;
import io.mixpanelpipelines.storage.Storage;
import io.mixpanelpipelines.warehouse.duckdb.DuckDbWarehouseLoader;
import io.mixpanelpipelines.warehouse.postgresql.PostgresWarehouseLoader;
import io.mixpanelpipelines.config.Secret;
import io.mixpanelpipelines.config.SecretSource;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/** Builds the loader of a job's {@code warehouse:} section, resolving its credentials from the environment or files. */
public final class WarehouseLoaders {

    private WarehouseLoaders() {
    }

    /** @throws InvalidJobException when a credential's variable or file is missing (named, never its value) */
    public static WarehouseLoader create(WarehouseSettings w, Map<String, String> environment, Storage storage,
            DatasetLayout layout) {
        return switch (w.type()) {
            case POSTGRESQL -> new PostgresWarehouseLoader(pool(w, environment, JdbcDriver.POSTGRESQL.driverClass(),
                    WarehouseLoaders.class.getClassLoader()), storage, w.schema(), w.table());
            case DUCKDB -> new DuckDbWarehouseLoader(w.url(), storage, w.schema(), w.table());
            default -> CloudWarehouseLoaders.create(w, environment, layout);
        };
    }

    /** The loader of people and identity mappings into the same warehouse (and schema) as the events. */
    public static ProfileIdentityLoader createProfileIdentity(WarehouseSettings w, Map<String, String> environment,
            Storage storage, DatasetLayout layout) {
        return switch (w.type()) {
            case POSTGRESQL -> new PostgresProfileIdentityLoader(pool(w, environment, JdbcDriver.POSTGRESQL.driverClass(),
                    WarehouseLoaders.class.getClassLoader()), storage, w.schema(), w.table());
            case DUCKDB -> new DuckDbProfileIdentityLoader(w.url(), storage, w.schema(), w.table());
            default -> CloudWarehouseLoaders.createProfileIdentity(w, environment, storage, layout);
        };
    }

    /**
     * A small HikariCP pool: loads are sequential, one connection is all they use. Hikari loads the driver
     * class through the context class loader, so {@code driverLoader} is made that while the pool is built.
     */
    static HikariDataSource pool(WarehouseSettings w, Map<String, String> environment, String driverClass,
            ClassLoader driverLoader) {
        HikariConfig c = new HikariConfig();
        c.setPoolName("warehouse");
        c.setJdbcUrl(w.url());
        // both at once: an operator fixes every missing variable in one go
        List<SecretSource> sources = Stream.of(w.username(), w.password()).filter(Objects::nonNull).toList();
        List<Secret> secrets = SecretSource.resolveAll(environment, sources.toArray(SecretSource[]::new));
        if (w.username() != null) {
            c.setUsername(secrets.get(0).reveal());
        }
        if (w.password() != null) {
            c.setPassword(secrets.get(sources.size() - 1).reveal());
        }
        c.setMaximumPoolSize(2);
        c.setMinimumIdle(0);
        // fail the command, not hang it, when the warehouse is down; the next `load` retries
        c.setInitializationFailTimeout(-1);
        c.setConnectionTimeout(30_000);
        return DriverContextLoader.with(driverLoader, () -> {
            c.setDriverClassName(driverClass);
            return new HikariDataSource(c);
        });
    }
}
