package io.mixpanelpipelines.warehouse;

import io.mixpanelpipelines.warehouse.duckdb.DuckDbWarehouseLoader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/** The loader contract on a DuckDB database file. */
class DuckDbWarehouseLoaderContractTests extends AbstractWarehouseLoaderContractTests {

    String url;

    @Override
    WarehouseLoader newLoader(Path tmp, PublishedDays days) {
        url = "jdbc:duckdb:" + tmp.resolve("analytics.duckdb");
        return new DuckDbWarehouseLoader(url, days.storage, "mixpanel", "events");
    }

    @Override
    List<String> rows(LocalDate day) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url); PreparedStatement ps = c.prepareStatement(
                "SELECT event_name, insert_id, distinct_id, device_id, epoch_us(time), epoch_us(mp_processing_time), properties "
                        + "FROM mixpanel.events WHERE event_date = ?")) {
            ps.setObject(1, day);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4) + "|"
                            + rs.getLong(5) + "|" + rs.getLong(6) + "|" + rs.getString(7));
                }
            }
        }
        return out;
    }

    @Override
    String stored(String propertiesJson) {
        return propertiesJson; // byte for byte
    }

    @Override
    String storedText(String decoded) {
        return decoded;
    }
}
