package io.mixpanelpipelines.warehouse.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mixpanelpipelines.config.InvalidJobException;
import io.mixpanelpipelines.config.WarehouseSettings;
import io.mixpanelpipelines.config.WarehouseType;
import io.mixpanelpipelines.dataset.DatasetLayout;
import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.support.FakeDriverJar;
import io.mixpanelpipelines.warehouse.WarehouseLoadException;
import io.mixpanelpipelines.warehouse.WarehouseLoader;
import java.nio.file.Path;
import java.sql.Driver;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Warehouse drivers: named by their Maven coordinates when missing, found and used from the extension jars. */
class JdbcDriverTests {

    @TempDir
    Path tmp;

    @Test
    void aMissingDriverIsAConfigurationErrorNamingItsMavenCoordinates() {
        assertThatThrownBy(() -> JdbcDriver.SNOWFLAKE.locate(Map.of()))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("net.snowflake:snowflake-jdbc").hasMessageContaining("MIXPANEL_PIPELINES_CLASSPATH");
        assertThatThrownBy(() -> JdbcDriver.REDSHIFT.locate(Map.of(JdbcDriver.CLASSPATH_VARIABLE, tmp.toString())))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("com.amazon.redshift:redshift-jdbc42");
    }

    @Test
    void aDriverOnTheClassPathNeedsNoExtension() {
        assertThat(JdbcDriver.POSTGRESQL.locate(Map.of())).isSameAs(JdbcDriver.class.getClassLoader());
    }

    @Test
    void aDriverJarInAnExtensionFolderIsLoadedByItsOwnClassLoader() throws Exception {
        FakeDriverJar.build(tmp, tmp.resolve("ext/fake-snowflake.jar"));

        ClassLoader loader = JdbcDriver.SNOWFLAKE.locate(Map.of(JdbcDriver.CLASSPATH_VARIABLE, "/nonexistent" + java.io.File.pathSeparator + tmp.resolve("ext")));
        try {
            assertThat(loader).isNotSameAs(JdbcDriver.class.getClassLoader());
            assertThat(Driver.class.isAssignableFrom(Class.forName(JdbcDriver.SNOWFLAKE.driverClass(), false, loader))).isTrue();
            // kept from the application: its classes and services do not leak into the tool's own class loader
            assertThatThrownBy(() -> Class.forName(JdbcDriver.SNOWFLAKE.driverClass())).isInstanceOf(ClassNotFoundException.class);
        } finally {
            JdbcDriver.close(loader);
        }
    }

    @Test
    void theLoaderConnectsThroughTheExtensionDriverWithItAsTheContextClassLoader() throws Exception {
        Path jar = FakeDriverJar.build(tmp, tmp.resolve("fake-snowflake.jar"));
        System.clearProperty(FakeDriverJar.CONNECTED_URL);
        WarehouseSettings w = new WarehouseSettings(WarehouseType.SNOWFLAKE, "jdbc:snowflake://fake.example/?db=x", null, null,
                "analytics", "events", null, "analytics.public.mixpanel", null);

        try (WarehouseLoader loader = WarehouseLoaders.create(w, Map.of(JdbcDriver.CLASSPATH_VARIABLE, jar.toString()), null,
                new DatasetLayout(Location.of("s3://bucket/prefix"), "123456"))) {
            // H2 behind the fake driver does not speak Snowflake's DDL: the statement fails, after the connection
            assertThatThrownBy(loader::prepare).isInstanceOf(WarehouseLoadException.class);
        }
        assertThat(System.getProperty(FakeDriverJar.CONNECTED_URL)).isEqualTo("jdbc:snowflake://fake.example/?db=x");
        assertThat(System.getProperty(FakeDriverJar.CONTEXT_WAS_DRIVERS)).isEqualTo("true");
    }
}
