package io.mixpanelpipelines.warehouse;

import io.mixpanelpipelines.config.WarehouseType;
import io.mixpanelpipelines.storage.local.LocalStorage;
import io.mixpanelpipelines.warehouse.duckdb.DuckDbProfileIdentityLoader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;

/** The people and identity load contract on a DuckDB database file. */
class DuckDbProfileIdentityLoaderContractTests extends AbstractProfileIdentityLoadContractTests {

    String url;

    @Override
    WarehouseType type() {
        return WarehouseType.DUCKDB;
    }

    @Override
    ProfileIdentityLoader newLoader(Path tmp, LocalStorage storage) {
        url = "jdbc:duckdb:" + tmp.resolve("analytics.duckdb");
        return new DuckDbProfileIdentityLoader(url, storage, "mixpanel", "events");
    }

    @Override
    Connection connect() throws Exception {
        return DriverManager.getConnection(url);
    }

    @Override
    String epochMicros(String column) {
        return "epoch_us(" + column + ")";
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
