package io.mixpanelpipelines.state.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.support.TestStateStore;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The state store's baseline migration ({@code B80__state_schema.sql}, made by the build from the versioned
 * migrations): a new store gets it alone, and it builds the schema the versioned migrations build; a store that
 * has any versioned migration goes on one version at a time.
 */
class StateBaselineIntegrationTests {

    private static final String BASELINE_VERSION = "80";
    private static final Pattern VERSIONED = Pattern.compile("V(\\d+)__.*\\.sql");

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void theBaselineIsEveryVersionedMigrationUpToItsVersionInOrder(String vendor) throws Exception {
        StringBuilder expected = new StringBuilder();
        for (Path f : versionedUpToBaseline(vendor)) {
            expected.append(Files.readString(f)).append('\n');
        }
        String baseline;
        try (InputStream in = getClass().getResourceAsStream("/sql/state/" + vendor + "/B" + BASELINE_VERSION + "__state_schema.sql")) {
            assertThat(in).as("the build's baseline on the class path (./mvnw generate-resources)").isNotNull();
            baseline = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(baseline).startsWith("-- Made by the build");
        assertThat(nonBlankLines(baseline.substring(baseline.indexOf('\n') + 1)))
                .as("the state-baseline list in pom.xml against sql/state")
                .isEqualTo(nonBlankLines(expected.toString()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aNewStoreGetsTheBaselineAloneAndTheSchemaTheMigrationsBuild(String vendor) throws Exception {
        DataSource fromBaseline = TestStateStore.empty(vendor, tmp.resolve("baseline"));
        Flyway flyway = TestStateStore.flyway(fromBaseline, vendor);
        flyway.migrate();
        MigrationInfo[] applied = flyway.info().applied();
        assertThat(applied).hasSize(1);
        assertThat(applied[0].getVersion().getVersion()).isEqualTo(BASELINE_VERSION);
        assertThat(applied[0].getType().isBaseline()).isTrue();
        assertThat(StateSchema.isCurrent(fromBaseline, flyway.getConfiguration().getTable())).isTrue();
        assertThat(flyway.info().pending()).isEmpty();
        flyway.validate();

        DataSource stepwise = TestStateStore.empty(vendor, tmp.resolve("stepwise"));
        Flyway versionedOnly = withoutBaseline(stepwise, vendor, null);
        versionedOnly.migrate();
        assertThat(versionedOnly.info().applied()).hasSize(versionedUpToBaseline(vendor).size());

        assertThat(schema(fromBaseline)).contains("table batch_job_instance", "table mp_partition", "table mp_day_slice")
                .isEqualTo(schema(stepwise));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aStoreOfAnOlderBuildGetsOnlyTheMigrationsItLacks(String vendor) throws Exception {
        DataSource older = TestStateStore.empty(vendor, tmp.resolve("older"));
        withoutBaseline(older, vendor, "40").migrate();

        Flyway flyway = TestStateStore.flyway(older, vendor);
        String table = flyway.getConfiguration().getTable();
        assertThat(StateSchema.isCurrent(older, table)).as("at version 40").isFalse();
        assertThat(flyway.info().pending()).as("what `check` reports").extracting(m -> m.getVersion().getVersion())
                .containsExactly("70", "71", "80");
        assertThat(flyway.migrate().migrationsExecuted).isEqualTo(3);
        assertThat(Arrays.stream(flyway.info().applied()).noneMatch(m -> m.getType().isBaseline())).isTrue();
        flyway.validate();
        assertThat(flyway.info().pending()).isEmpty();
        assertThat(StateSchema.isCurrent(older, table)).as("migrated version by version").isTrue();
        assertThat(flyway.migrate().migrationsExecuted).as("current: nothing more").isZero();

        DataSource fromBaseline = TestStateStore.empty(vendor, tmp.resolve("baseline"));
        TestStateStore.flyway(fromBaseline, vendor).migrate();
        assertThat(schema(older)).isEqualTo(schema(fromBaseline));
    }

    /** Flyway as the application configures it, but blind to baseline migrations (an older build), up to {@code target}. */
    private static Flyway withoutBaseline(DataSource ds, String vendor, String target) {
        var config = TestStateStore.configure(ds, vendor).configuration(Map.of("flyway.baselineMigrationPrefix", "NoBaseline"));
        return (target == null ? config : config.target(target)).load();
    }

    private static List<Path> versionedUpToBaseline(String vendor) throws Exception {
        List<Path> files = new ArrayList<>();
        for (String dir : List.of("common", vendor)) {
            try (Stream<Path> s = Files.list(Path.of("sql/state", dir))) {
                s.filter(f -> VERSIONED.matcher(f.getFileName().toString()).matches()).forEach(files::add);
            }
        }
        files.removeIf(f -> version(f) > Integer.parseInt(BASELINE_VERSION));
        files.sort(Comparator.comparingInt(StateBaselineIntegrationTests::version));
        return files;
    }

    private static int version(Path f) {
        Matcher m = VERSIONED.matcher(f.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException(f.toString());
        }
        return Integer.parseInt(m.group(1));
    }

    private static List<String> nonBlankLines(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    /**
     * The store's tables (Flyway's history left out), their columns with type, size, nullability and default, keys,
     * indexes, foreign keys, and the sequences, as sorted lines.
     */
    private static List<String> schema(DataSource ds) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (Connection c = ds.getConnection()) {
            DatabaseMetaData md = c.getMetaData();
            String schema = c.getSchema();
            List<String> tables = new ArrayList<>();
            try (ResultSet t = md.getTables(null, schema, "%", new String[] {"TABLE"})) {
                while (t.next()) {
                    String name = t.getString("TABLE_NAME");
                    if (!name.equalsIgnoreCase("flyway_schema_history")) {
                        tables.add(name);
                    }
                }
            }
            for (String table : tables) {
                lines.add("table " + table.toLowerCase(Locale.ROOT));
                try (ResultSet col = md.getColumns(null, schema, table, "%")) {
                    while (col.next()) {
                        lines.add(row(table, "column", col.getInt("ORDINAL_POSITION"), col.getString("COLUMN_NAME"),
                                col.getString("TYPE_NAME"), col.getInt("COLUMN_SIZE"), col.getInt("DECIMAL_DIGITS"),
                                col.getString("IS_NULLABLE"), col.getString("COLUMN_DEF"), col.getString("IS_AUTOINCREMENT")));
                    }
                }
                try (ResultSet pk = md.getPrimaryKeys(null, schema, table)) {
                    while (pk.next()) {
                        lines.add(row(table, "key", pk.getInt("KEY_SEQ"), pk.getString("COLUMN_NAME"), pk.getString("PK_NAME")));
                    }
                }
                try (ResultSet ix = md.getIndexInfo(null, schema, table, false, false)) {
                    while (ix.next()) {
                        lines.add(row(table, "index", ix.getString("INDEX_NAME"), ix.getBoolean("NON_UNIQUE"),
                                ix.getInt("ORDINAL_POSITION"), ix.getString("COLUMN_NAME")));
                    }
                }
                try (ResultSet fk = md.getImportedKeys(null, schema, table)) {
                    while (fk.next()) {
                        lines.add(row(table, "foreign key", fk.getString("FK_NAME"), fk.getString("FKCOLUMN_NAME"),
                                fk.getString("PKTABLE_NAME"), fk.getString("PKCOLUMN_NAME")));
                    }
                }
            }
            try (Statement st = c.createStatement(); ResultSet seq = st.executeQuery(
                    "SELECT sequence_name, data_type, start_value, increment FROM information_schema.sequences"
                            + " WHERE sequence_schema = '" + schema + "'")) {
                while (seq.next()) {
                    lines.add(row("", "sequence", seq.getString(1), seq.getString(2), seq.getString(3), seq.getString(4)));
                }
            }
        }
        lines.sort(null);
        return lines;
    }

    private static String row(String table, String kind, Object... values) {
        StringBuilder b = new StringBuilder(table.toLowerCase(Locale.ROOT)).append(' ').append(kind);
        for (Object v : values) {
            b.append(" | ").append(v instanceof String s ? s.toLowerCase(Locale.ROOT) : v);
        }
        return b.toString();
    }
}
