package io.mixpanelpipelines.warehouse;

import io.mixpanelpipelines.config.WarehouseType;
import io.mixpanelpipelines.storage.local.LocalStorage;
import io.mixpanelpipelines.support.TestPostgres;
import io.mixpanelpipelines.warehouse.postgresql.PostgresProfileIdentityLoader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import javax.sql.DataSource;

/** The people and identity load contract on a real PostgreSQL server (embedded binaries), a fresh database per test. */
class PostgresProfileIdentityLoaderContractIntegrationTests extends AbstractProfileIdentityLoadContractTests {

    DataSource db;

    @Override
    WarehouseType type() {
        return WarehouseType.POSTGRESQL;
    }

    @Override
    ProfileIdentityLoader newLoader(Path tmp, LocalStorage storage) {
        db = TestPostgres.dataSource(TestPostgres.newDatabase("people"));
        return new PostgresProfileIdentityLoader(db, storage, "mixpanel", "events");
    }

    @Override
    Connection connect() throws Exception {
        return db.getConnection();
    }

    @Override
    String epochMicros(String column) {
        return "(extract(epoch FROM " + column + ") * 1000000)::bigint";
    }

    @Override
    String stored(String propertiesJson) {
        return propertiesJson; // json keeps the text byte for byte
    }

    @Override
    String storedText(String decoded) {
        return decoded.replace('\u0000', '\uFFFD');
    }

    @Override
    void allowEventsOfTheFirstDay(Statement s) throws Exception {
        s.execute("CREATE TABLE mixpanel.events_test_day PARTITION OF mixpanel.events FOR VALUES FROM ('2026-01-01') TO ('2026-01-02')");
    }
}
