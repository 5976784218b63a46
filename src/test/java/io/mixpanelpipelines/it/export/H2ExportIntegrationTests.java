package io.mixpanelpipelines.it.export;

import io.mixpanelpipelines.config.StateStoreLocation;
import java.nio.file.Path;
import java.util.Map;

/** The export tests on the embedded default state store: an H2 file database. */
class H2ExportIntegrationTests extends AbstractExportIntegrationTests {

    @Override
    Map<String, Object> datasource(Path tmp) {
        return Map.of("spring.datasource.url", StateStoreLocation.h2Url(tmp.resolve("state")));
    }
}
