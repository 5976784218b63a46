package io.mixpanelpipelines.warehouse.support;

import io.mixpanelpipelines.warehouse.DatasetFolder;
import io.mixpanelpipelines.warehouse.ProfileIdentityLoader;

/**
 * {@link DriverContextLoader} for a {@link ProfileIdentityLoader}: every call runs with the extension driver's
 * class loader as the thread's context class loader; closing it closes that class loader.
 */
final class DriverContextProfileLoader implements ProfileIdentityLoader {

    private final ProfileIdentityLoader delegate;
    private final ClassLoader driverLoader;

    DriverContextProfileLoader(ProfileIdentityLoader delegate, ClassLoader driverLoader) {
        this.delegate = delegate;
        this.driverLoader = driverLoader;
    }

    @Override
    public void prepare() {
        DriverContextLoader.with(driverLoader, () -> {
            delegate.prepare();
            return null;
        });
    }

    @Override
    public void validate(DatasetFolder folder) {
        delegate.validate(folder); // DuckDB, not the warehouse's driver
    }

    @Override
    public long replaceProfiles(String table, DatasetFolder snapshot) {
        return DriverContextLoader.with(driverLoader, () -> delegate.replaceProfiles(table, snapshot));
    }

    @Override
    public long mergeProfiles(String table, DatasetFolder changes) {
        return DriverContextLoader.with(driverLoader, () -> delegate.mergeProfiles(table, changes));
    }

    @Override
    public long loadIdentityDay(DatasetFolder day) {
        return DriverContextLoader.with(driverLoader, () -> delegate.loadIdentityDay(day));
    }

    @Override
    public void removeIdentityDay(java.time.LocalDate day) {
        DriverContextLoader.with(driverLoader, () -> {
            delegate.removeIdentityDay(day);
            return null;
        });
    }

    @Override
    public void close() {
        try {
            DriverContextLoader.with(driverLoader, () -> {
                delegate.close();
                return null;
            });
        } finally {
            JdbcDriver.close(driverLoader);
        }
    }
}
