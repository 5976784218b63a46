package io.mixpanelpipelines.it.export;

import io.mixpanelpipelines.support.TestPostgres;
import java.nio.file.Path;
import java.util.Map;

/** The export tests on a real PostgreSQL server (embedded binaries), a fresh database per test. */
class PostgresExportIntegrationTests extends AbstractExportIntegrationTests {

    @Override
    Map<String, Object> datasource(Path tmp) throws Exception {
        String db = TestPostgres.newDatabase("pipelines");
        return Map.of("spring.datasource.url", TestPostgres.jdbcUrl(db),
                "spring.datasource.username", "postgres", "spring.datasource.password", "postgres");
    }
}
