package io.mixpanelpipelines.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class StateStoreLocationTests {

    @Test
    void theDefaultStateIsInTheJobFilesFolderWhateverTheWorkingDirectory() {
        Path jobFile = Path.of("/srv/jobs/acme.yaml");
        Path roundabout = Path.of("/srv/other/../jobs/./acme.yaml");

        assertThat(StateStoreLocation.h2Folder(JobDefinitionLoader.folderOf(jobFile))).isEqualTo(Path.of("/srv/jobs/data/state"));
        assertThat(StateStoreLocation.defaults(JobDefinitionLoader.folderOf(roundabout)))
                .isEqualTo(StateStoreLocation.defaults(JobDefinitionLoader.folderOf(jobFile)))
                .containsEntry("spring.datasource.url", "jdbc:h2:file:/srv/jobs/data/state/pipelines;AUTO_SERVER=TRUE;WRITE_DELAY=0");
    }

    @Test
    void aRelativeJobFileIsInTheWorkingDirectorysFolder() {
        assertThat(StateStoreLocation.h2Folder(JobDefinitionLoader.folderOf(Path.of("jobs/demo.yaml"))))
                .isEqualTo(Path.of("jobs/data/state").toAbsolutePath());
    }

    @Test
    void anH2FileIsDescribedByItsFile() {
        assertThat(StateStoreLocation.describe(StateStoreLocation.h2Url(Path.of("/srv/jobs/data/state"))))
                .isEqualTo("H2 file /srv/jobs/data/state/pipelines.mv.db");
    }

    @Test
    void aUrlIsDescribedWithoutItsCredentials() {
        assertThat(StateStoreLocation.describe("jdbc:postgresql://db:5432/pipelines")).isEqualTo("jdbc:postgresql://db:5432/pipelines");
        assertThat(StateStoreLocation.describe("jdbc:postgresql://app:hunter2@db:5432/pipelines?sslmode=require"))
                .isEqualTo("jdbc:postgresql://db:5432/pipelines?sslmode=require");
        assertThat(StateStoreLocation.describe("jdbc:postgresql://db/p?user=app&password=hunter2&sslmode=require"))
                .isEqualTo("jdbc:postgresql://db/p?sslmode=require");
        assertThat(StateStoreLocation.describe("jdbc:postgresql://db/p?sslmode=require&Password=hunter2"))
                .isEqualTo("jdbc:postgresql://db/p?sslmode=require");
        assertThat(StateStoreLocation.describe("jdbc:h2:mem:x;USER=sa;PASSWORD=hunter2")).doesNotContain("hunter2");
        assertThat(StateStoreLocation.describe((String) null)).isEqualTo("(no state database configured)");
    }
}
