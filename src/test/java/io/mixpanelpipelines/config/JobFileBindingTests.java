package io.mixpanelpipelines.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mixpanelpipelines.storage.Location;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the Binder-based loader adds: paths relative to the job file's folder, exact keys, YAML positions. */
class JobFileBindingTests {

    private static final String JOB = """
            name: j
            mixpanel:
              projectId: "1"
              auth:
                serviceAccount:
                  usernameFile: secrets/user
                  secretEnv: SA_SECRET
            export:
              startDate: 2026-01-01
              spoolDir: spool
            destination:
              uri: ../out
            """;

    private final JobDefinitionLoader loader = new JobDefinitionLoader();

    @Test
    void relativePathsAreRelativeToTheJobFilesFolderNotTheWorkingDirectory(@TempDir Path dir) throws IOException {
        Path jobs = Files.createDirectories(dir.resolve("jobs"));
        Path file = Files.writeString(jobs.resolve("j.yaml"), JOB + """
                warehouse:
                  type: duckdb
                  url: jdbc:duckdb:warehouse/analytics.duckdb
                  table: mixpanel.events
                """);

        JobDefinition job = loader.load(file);

        assertThat(job.export().spoolDir()).isEqualTo(jobs.resolve("spool"));
        assertThat(job.destination().uri()).isEqualTo(Location.of(dir.resolve("out")));
        assertThat(job.mixpanel().auth().serviceAccountUsername().file()).isEqualTo(jobs.resolve("secrets/user"));
        assertThat(job.warehouse().url()).isEqualTo("jdbc:duckdb:" + jobs.resolve("warehouse/analytics.duckdb"));
        assertThat(JobDefinitionLoader.folderOf(file)).isEqualTo(jobs);
    }

    @Test
    void theSameFileGivenByAnotherPathResolvesTheSame(@TempDir Path dir) throws IOException {
        Path jobs = Files.createDirectories(dir.resolve("jobs"));
        Path file = Files.writeString(jobs.resolve("j.yaml"), JOB);

        JobDefinition direct = loader.load(file);
        JobDefinition roundabout = loader.load(jobs.resolve("../jobs/./j.yaml"));

        assertThat(roundabout).isEqualTo(direct);
    }

    @Test
    void absolutePathsAndInMemoryDuckDbStayAsWritten(@TempDir Path dir) {
        JobDefinition job = loader.parse(JOB.replace("spoolDir: spool", "spoolDir: /var/spool/mp")
                + "warehouse:\n  type: duckdb\n  url: 'jdbc:duckdb:'\n  table: a.b\n", dir);

        assertThat(job.export().spoolDir()).isEqualTo(Path.of("/var/spool/mp"));
        assertThat(job.warehouse().url()).isEqualTo("jdbc:duckdb:");
    }

    @Test
    void keysMustBeSpelledExactlyWhateverTheBinderWouldAccept() {
        assertThat(errorOf(JOB.replace("spoolDir: spool", "spool-dir: spool")))
                .contains("export.spool-dir: unknown key (allowed here: startDate,");
        assertThat(errorOf(JOB.replace("spoolDir: spool", "SPOOLDIR: spool"))).contains("export.SPOOLDIR: unknown key");
    }

    @Test
    void onlyYamlBooleansAreBooleansAndOnlyListsAreLists() {
        assertThat(errorOf(JOB.replace("spoolDir: spool", "timeInMs: 'on'"))).contains("export.timeInMs: 'on' must be true or false");
        assertThat(errorOf(JOB.replace("spoolDir: spool", "events: 'a,b'"))).contains("export.events: must be a list of event names");
    }

    @Test
    void sizesAndDurationsAreConvertedWhateverTheirCase() {
        JobDefinition job = loader.parse(JOB.replace("spoolDir: spool", "partSize: 2 mb\n  readTimeout: 90s\n  daysPerRequest: 3"));

        assertThat(job.export().partSizeBytes()).isEqualTo(2L << 20);
        assertThat(job.export().readTimeout()).hasSeconds(90);
        assertThat(job.export().daysPerRequest()).isEqualTo(3);
        assertThat(errorOf(JOB.replace("spoolDir: spool", "daysPerRequest: 40"))).contains("export.daysPerRequest: 40 is out of range [1, 31]");
        assertThat(errorOf(JOB.replace("spoolDir: spool", "daysPerRequest: some"))).contains("export.daysPerRequest: 'some' is not a whole number or adaptive");
    }

    @Test
    void aSyntaxErrorSaysItsLineAndColumn() {
        assertThat(errorOf("name: [unclosed\nmixpanel:\n"))
                .isEqualTo("  - not valid YAML: while parsing a flow sequence: expected ',' or ']', but got : (line 2, column 9)");
        assertThat(errorOf("name: j\nexport:\n  startDate: 2026-01-01\n bad: 1\n")).startsWith("  - not valid YAML: ").contains("(line 4, column ");
    }

    @Test
    void aFileWithAnErrorIsNamed(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("j.yaml"), JOB.replace("startDate: 2026-01-01", "startDate: soon"));

        assertThatThrownBy(() -> loader.load(file)).isInstanceOf(InvalidJobException.class).hasMessage("job file " + file
                + " is invalid:\n  - export.startDate: 'soon' must be a date YYYY-MM-DD or a number of days back such as -7d");
    }

    private String errorOf(String yaml) {
        try {
            loader.parse(yaml);
        } catch (InvalidJobException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected InvalidJobException for:\n" + yaml);
    }
}
