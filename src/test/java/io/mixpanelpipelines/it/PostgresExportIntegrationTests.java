package io.mixpanelpipelines.it;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The export tests on a real PostgreSQL server (embedded binaries), a fresh database per test. */
class PostgresExportIntegrationTests extends AbstractExportIntegrationTests {

    private static EmbeddedPostgres postgres;
    private static final AtomicInteger DATABASES = new AtomicInteger();

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        postgres.close();
    }

    @Override
    Map<String, Object> datasource(Path tmp) throws Exception {
        String db = "pipelines_" + DATABASES.incrementAndGet();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + db);
        }
        return Map.of("spring.datasource.url", postgres.getJdbcUrl("postgres", db),
                "spring.datasource.username", "postgres", "spring.datasource.password", "postgres");
    }
}
