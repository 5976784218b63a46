package io.mixpanelpipelines.it.export;

import java.nio.file.Path;
import java.util.Map;

/** The export tests on the embedded default state store: an H2 file database. */
class H2ExportIntegrationTests extends AbstractExportIntegrationTests {

    @Override
    Map<String, Object> datasource(Path tmp) {
        return Map.of("spring.datasource.url", "jdbc:h2:file:" + tmp.resolve("state/pipelines") + ";AUTO_SERVER=TRUE;WRITE_DELAY=0");
    }
}
