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
import org.junit.jupiter.api.Test;

/** The loader contract on a real PostgreSQL server (embedded binaries), a fresh database per test. */
class PostgresWarehouseLoaderContractIntegrationTests extends AbstractWarehouseLoaderContractTests {

    DataSource db;

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
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT ?::jsonb::text")) {
            ps.setString(1, propertiesJson);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
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
            assertThat(rs.getString(1)).isEqualTo("jsonb");
        }
    }
}
