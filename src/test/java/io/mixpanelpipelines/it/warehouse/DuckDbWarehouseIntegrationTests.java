package io.mixpanelpipelines.it.warehouse;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Export then load into a DuckDB database file. */
class DuckDbWarehouseIntegrationTests extends AbstractWarehouseIntegrationTests {

    Path file;

    @Override
    String warehouseSection(Path tmp) {
        file = tmp.resolve("analytics.duckdb");
        return "type: duckdb\nurl: jdbc:duckdb:" + file + "\ntable: mixpanel.events\n";
    }

    @Override
    Map<LocalDate, List<String>> table() throws Exception {
        Map<LocalDate, List<String>> m = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT event_date, event_name, insert_id, epoch_us(time) FROM mixpanel.events")) {
            while (rs.next()) {
                m.computeIfAbsent(rs.getObject(1, LocalDate.class), d -> new ArrayList<>())
                        .add(rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getLong(4));
            }
        }
        return m;
    }
}
