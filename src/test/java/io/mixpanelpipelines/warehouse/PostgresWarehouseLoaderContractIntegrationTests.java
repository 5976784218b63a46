package io.mixpanelpipelines.warehouse;

import io.mixpanelpipelines.support.TestPostgres;
import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.warehouse.postgresql.PostgresWarehouseLoader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The loader contract on a real PostgreSQL server (embedded binaries), a fresh database per test. */
class PostgresWarehouseLoaderContractIntegrationTests extends AbstractWarehouseLoaderContractTests {

    DataSource db;
    private Connection storedBy;

    @AfterEach
    void closeStoredBy() throws Exception {
        if (storedBy != null) {
            storedBy.close();
        }
    }

    @Override
    WarehouseLoader newLoader(Path tmp, PublishedDays days) throws Exception {
        String name = TestPostgres.newDatabase("warehouse");
        db = TestPostgres.dataSource(name);
        return new PostgresWarehouseLoader(db, days.storage, "mixpanel", "events");
    }

    @Override
    List<String> rows(LocalDate day) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT event_name, insert_id, distinct_id, device_id, time, mp_processing_time, properties::text "
                        + "FROM mixpanel.events WHERE event_date = ?")) {
            ps.setObject(1, day);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4) + "|"
                            + micros(rs.getObject(5, java.time.OffsetDateTime.class)) + "|"
                            + micros(rs.getObject(6, java.time.OffsetDateTime.class)) + "|" + rs.getString(7));
                }
            }
        }
        return out;
    }

    @Override
    String stored(String propertiesJson) throws Exception {
        if (storedBy == null) { // one connection for every row: a new one per row took 20 ms
            storedBy = db.getConnection();
        }
        try (PreparedStatement ps = storedBy.prepareStatement("SELECT ?::json::text")) {
            ps.setString(1, propertiesJson);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    @Override
    String storedText(String decoded) {
        return decoded.replace('\u0000', '\uFFFD');
    }

    @Test
    void eachDayIsOnePartitionAndAReloadLeavesNoTableBehind() throws Exception {
        loader.load(days.publish(D1, PublishedDays.lines(D1, 20, "a"), "run1"), r -> { });
        loader.load(days.publish(D2, PublishedDays.lines(D2, 20, "a"), "run1"), r -> { });
        loader.load(days.publish(D1, PublishedDays.lines(D1, 30, "b"), "run2"), r -> { });

        List<String> tables = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = 'mixpanel' ORDER BY 1")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        assertThat(tables).hasSize(4).contains("events", "events_schema_history");
        assertThat(tables).filteredOn(t -> t.startsWith("events_20260101_")).hasSize(1);
        assertThat(tables).filteredOn(t -> t.startsWith("events_20260102_")).hasSize(1);
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_typeof(properties)::text FROM mixpanel.events LIMIT 1")) {
            rs.next();
            assertThat(rs.getString(1)).as("json keeps the exported text; jsonb refuses legal values").isEqualTo("json");
        }
    }

    /** A table made by V1 (properties jsonb), with a loaded day, becomes json and keeps its rows. */
    @Test
    void anExistingJsonbTableIsMigratedToJsonKeepingItsRows() throws Exception {
        DataSource old = TestPostgres.dataSource(TestPostgres.newDatabase("warehouse_v1"));
        org.flywaydb.core.Flyway.configure().dataSource(old).locations("classpath:sql/warehouse/postgresql")
                .schemas("mixpanel").defaultSchema("mixpanel").createSchemas(true).table("events_schema_history")
                .placeholders(java.util.Map.of("schema", "mixpanel", "table", "events")).target("1").load().migrate();
        try (Connection c = old.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE mixpanel.events_20260101_v1 PARTITION OF mixpanel.events"
                    + " FOR VALUES FROM ('2026-01-01') TO ('2026-01-02')");
            s.execute("INSERT INTO mixpanel.events VALUES ('2026-01-01', 'e', now(), 'd', 'i', null, null, null,"
                    + " '{\"b\":1, \"a\":[2]}')");
        }
        try (PostgresWarehouseLoader upgraded = new PostgresWarehouseLoader(old, days.storage, "mixpanel", "events")) {
            upgraded.prepare();

            try (Connection c = old.getConnection(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT pg_typeof(properties)::text, properties::text FROM mixpanel.events")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("json");
                assertThat(rs.getString(2)).as("jsonb's text of the row loaded before").isEqualTo("{\"a\": [2], \"b\": 1}");
            }
            upgraded.load(days.publish(D2, PublishedDays.lines(D2, 5, "a"), "run1"), r -> { });
            try (Connection c = old.getConnection(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM mixpanel.events")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(6);
            }
        }
    }
}
