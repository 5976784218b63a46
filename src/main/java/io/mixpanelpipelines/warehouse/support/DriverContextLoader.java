package io.mixpanelpipelines.warehouse.support;

import io.mixpanelpipelines.dataset.PublishedDay;
import io.mixpanelpipelines.warehouse.WarehouseLoader;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * A loader whose JDBC driver came from the extension jars ({@link JdbcDriver}): every call runs with the
 * driver's class loader as the thread's context class loader, as if the driver were on the class path
 * (drivers look up their own services and resources through it); closing it closes that class loader.
 */
final class DriverContextLoader implements WarehouseLoader {

    private final WarehouseLoader delegate;
    private final ClassLoader driverLoader;

    DriverContextLoader(WarehouseLoader delegate, ClassLoader driverLoader) {
        this.delegate = delegate;
        this.driverLoader = driverLoader;
    }

    /** Runs {@code action} with {@code loader} as the context class loader of this thread. */
    static <T> T with(ClassLoader loader, Supplier<T> action) {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(loader);
        try {
            return action.get();
        } finally {
            t.setContextClassLoader(previous);
        }
    }

    @Override
    public void prepare() {
        with(driverLoader, () -> {
            delegate.prepare();
            return null;
        });
    }

    @Override
    public long load(PublishedDay day, LongConsumer progress) {
        return with(driverLoader, () -> delegate.load(day, progress));
    }

    @Override
    public void checkConnection() {
        with(driverLoader, () -> {
            delegate.checkConnection();
            return null;
        });
    }

    @Override
    public void close() {
        try {
            with(driverLoader, () -> {
                delegate.close();
                return null;
            });
        } finally {
            JdbcDriver.close(driverLoader);
        }
    }
}
