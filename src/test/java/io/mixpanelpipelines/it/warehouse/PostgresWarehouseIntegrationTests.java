package io.mixpanelpipelines.it.warehouse;

import io.mixpanelpipelines.support.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;

/** Export then load into a real PostgreSQL server (embedded binaries) through HikariCP, with a password from the environment. */
class PostgresWarehouseIntegrationTests extends AbstractWarehouseIntegrationTests {

    DataSource db;

    @Override
    String warehouseSection(Path tmp) throws Exception {
        String name = TestPostgres.newDatabase("analytics");
        db = TestPostgres.dataSource(name);
        ws.env.put("IT_WAREHOUSE_USER", "postgres");
        ws.env.put("IT_WAREHOUSE_PASSWORD", "postgres");
        return "type: postgresql\nurl: " + TestPostgres.jdbcUrl(name) + "\nusernameEnv: IT_WAREHOUSE_USER\n"
                + "passwordEnv: IT_WAREHOUSE_PASSWORD\ntable: mixpanel.events\n";
    }

    @Override
    Map<LocalDate, List<String>> table() throws Exception {
        Map<LocalDate, List<String>> m = new TreeMap<>();
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT event_date, event_name, insert_id, time FROM mixpanel.events")) {
            while (rs.next()) {
                var t = rs.getObject(4, OffsetDateTime.class).toInstant();
                m.computeIfAbsent(rs.getObject(1, LocalDate.class), d -> new ArrayList<>())
                        .add(rs.getString(2) + "|" + rs.getString(3) + "|" + (t.getEpochSecond() * 1_000_000 + t.getNano() / 1000));
            }
        }
        return m;
    }

    @Override
    String physicalState() throws Exception {
        List<String> names = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = 'mixpanel' ORDER BY 1")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return String.join(",", names);
    }
}
