package io.mixpanelpipelines.state.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.support.TestStateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** When Flyway is left out of a start: only for a store that already has every migration, on both stores. */
class StateSchemaIntegrationTests {

    @TempDir
    Path tmp;

    @Test
    void theLatestVersionIsThatOfTheNewestMigrationFile() throws Exception {
        Pattern version = Pattern.compile("V(\\d+)__.*\\.sql");
        int newest;
        try (Stream<Path> files = Files.walk(Path.of("sql/state"))) {
            newest = files.map(f -> version.matcher(f.getFileName().toString()))
                    .filter(Matcher::matches)
                    .mapToInt(m -> Integer.parseInt(m.group(1)))
                    .max().orElseThrow();
        }
        assertThat(StateSchema.LATEST_VERSION).as("raise StateSchema.LATEST_VERSION with a new migration")
                .isEqualTo(Integer.toString(newest));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void flywayRunsUntilTheStoreIsCurrentAndAgainAfterAFailure(String vendor) throws Exception {
        DataSource ds = TestStateStore.empty(vendor, tmp);
        Flyway flyway = TestStateStore.flyway(ds, vendor);
        String table = flyway.getConfiguration().getTable();

        assertThat(StateSchema.isCurrent(ds, table)).as("empty store").isFalse();
        StateSchema.migrateUnlessCurrent(flyway);
        assertThat(flyway.info().pending()).as("migrated").isEmpty();
        assertThat(StateSchema.isCurrent(ds, table)).isTrue();

        String failed = "\"" + table + "\" WHERE \"version\" = 'failed'";
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            // beside the latest (a new store has only that one, the baseline: StateBaselineIntegrationTests)
            st.execute("INSERT INTO \"" + table + "\" SELECT \"installed_rank\" + 1, 'failed', \"description\", \"type\","
                    + " \"script\", \"checksum\", \"installed_by\", \"installed_on\", \"execution_time\", FALSE FROM \""
                    + table + "\" WHERE \"version\" = '" + StateSchema.LATEST_VERSION + "'");
        }
        assertThat(StateSchema.isCurrent(ds, table)).as("a failed migration is Flyway's to report").isFalse();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("DELETE FROM " + failed);
            st.execute("DELETE FROM \"" + table + "\" WHERE \"version\" = '" + StateSchema.LATEST_VERSION + "'");
        }
        assertThat(StateSchema.isCurrent(ds, table)).as("the latest migration missing").isFalse();
    }
}
