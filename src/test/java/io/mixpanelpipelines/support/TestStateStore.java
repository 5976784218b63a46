package io.mixpanelpipelines.support;

import java.nio.file.Path;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.h2.jdbcx.JdbcDataSource;

/** An empty state store of either kind the application supports, and Flyway over its migrations. */
public final class TestStateStore {

    private TestStateStore() {
    }

    /** {@code h2}: a file database under {@code dir}; {@code postgresql}: a new database on the test server. */
    public static DataSource empty(String vendor, Path dir) {
        if (vendor.equals("h2")) {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL("jdbc:h2:file:" + dir.resolve("state") + ";WRITE_DELAY=0");
            h2.setUser("sa");
            return h2;
        }
        if (vendor.equals("postgresql")) {
            return TestPostgres.dataSource(TestPostgres.newDatabase("state"));
        }
        throw new IllegalArgumentException("no state store " + vendor);
    }

    /** Flyway over {@code sql/state} for that vendor, as the application configures it. */
    public static Flyway flyway(DataSource ds, String vendor) {
        return configure(ds, vendor).load();
    }

    /** {@link #flyway}'s configuration, to change before it is loaded. */
    public static FluentConfiguration configure(DataSource ds, String vendor) {
        return Flyway.configure().dataSource(ds)
                .locations("classpath:sql/state/common", "classpath:sql/state/" + vendor);
    }
}
