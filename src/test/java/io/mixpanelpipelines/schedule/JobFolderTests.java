package io.mixpanelpipelines.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mixpanelpipelines.config.InvalidJobException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobFolderTests {

    @TempDir
    Path dir;

    private static String job(String name, String extraExport, String timezone) {
        return """
                name: %s
                mixpanel:
                  projectId: "42"
                  timezone: %s
                  auth:
                    projectSecretEnv: MP_SECRET
                export:
                  startDate: 2026-01-01
                  %s
                destination:
                  uri: out
                """.formatted(name, timezone, extraExport);
    }

    @Test
    void everyJobFileOfTheFolderIsLoadedWithItsCronInTheProjectTimezone() throws Exception {
        Files.writeString(dir.resolve("a.yaml"), job("a", "schedule: '30 * * * *'", "UTC"));
        Files.writeString(dir.resolve("b.yml"), job("b", "schedule: '0 0 2 * * *'", "Europe/Paris"));
        Files.writeString(dir.resolve("README.md"), "not a job");

        List<ScheduledJob> jobs = JobFolder.load(dir, Map.of("MP_SECRET", "s"));

        assertThat(jobs).extracting(ScheduledJob::name).containsExactly("a", "b");
        assertThat(jobs.get(0).lockName()).isEqualTo("export-a");
        assertThat(jobs.get(1).cron().next(LocalDateTime.of(2026, 3, 1, 0, 0).atZone(ZoneId.of("Europe/Paris"))))
                .isEqualTo(LocalDateTime.of(2026, 3, 1, 2, 0).atZone(ZoneId.of("Europe/Paris")));
    }

    @Test
    void badFilesAreRefusedTogetherEachWithItsPath() throws Exception {
        Files.writeString(dir.resolve("a.yaml"), job("a", "schedule: '@hourly'", "UTC"));
        Files.writeString(dir.resolve("b.yaml"), job("b", "schedule: 'often'", "UTC"));
        Files.writeString(dir.resolve("c.yaml"), job("a", "schedule: '@hourly'", "UTC"));
        Files.writeString(dir.resolve("d.yaml"), job("d", "schedule: '@hourly'", "UTC").replace("MP_SECRET", "D_SECRET"));
        Files.writeString(dir.resolve("e.yaml"), job("e", "", "UTC"));

        assertThatThrownBy(() -> JobFolder.load(dir, Map.of("MP_SECRET", "s")))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("job file " + dir.resolve("e.yaml") + " has no export.schedule")
                .hasMessageContaining("job file " + dir.resolve("b.yaml") + " is invalid")
                .hasMessageContaining("export.schedule: 'often' is not a cron expression")
                .hasMessageContaining("job file " + dir.resolve("c.yaml") + " has the same name 'a' as " + dir.resolve("a.yaml"))
                .hasMessageContaining("job file " + dir.resolve("d.yaml") + ": ")
                .hasMessageContaining("D_SECRET")
                .hasMessageNotContaining(dir.resolve("a.yaml") + ":");
    }

    @Test
    void anEmptyOrMissingFolderIsRefused() {
        assertThatThrownBy(() -> JobFolder.load(dir, Map.of())).hasMessageContaining("holds no job file");
        assertThatThrownBy(() -> JobFolder.load(dir.resolve("nope"), Map.of())).hasMessageContaining("is not a folder");
    }
}
