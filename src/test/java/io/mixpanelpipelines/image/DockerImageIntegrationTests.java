package io.mixpanelpipelines.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No container engine runs here, so the image is checked short of building it: after {@code package}, every
 * source of the Dockerfile's {@code COPY} lines exists in the build context and no file under it is excluded
 * by {@code .dockerignore} (matched as Docker does, {@link DockerIgnore}); the image runs the launcher, whose
 * class-data archive is dumped in the image with the same jar path, and it carries the warehouse drivers.
 */
class DockerImageIntegrationTests {

    static final Path CONTEXT = Path.of("").toAbsolutePath();

    @Test
    void everyCopySourceExistsAfterPackageAndIsInTheBuildContext() throws IOException {
        DockerIgnore ignore = new DockerIgnore(Files.readString(CONTEXT.resolve(".dockerignore")));
        List<String> sources = copySources(Files.readString(CONTEXT.resolve("Dockerfile")));

        assertThat(sources).contains("target/lib/", "target/mixpanel-pipelines.jar", "target/mixpanel-pipelines");
        for (String source : sources) {
            Path p = CONTEXT.resolve(source);
            assertThat(p).as("COPY source %s after package", source).exists();
            List<Path> files;
            try (Stream<Path> s = Files.walk(p)) {
                files = s.filter(Files::isRegularFile).toList();
            }
            assertThat(files).as(source).isNotEmpty();
            for (Path f : files) {
                String relative = CONTEXT.relativize(f).toString().replace('\\', '/');
                assertThat(ignore.excludes(relative)).as("%s (COPY %s) is excluded by .dockerignore", relative, source).isFalse();
            }
        }
        // nothing else gets in: no sources, no local state
        assertThat(ignore.excludes("src/main/java/io/mixpanelpipelines/cli/Main.java")).isTrue();
        assertThat(ignore.excludes("data/state/pipelines.mv.db")).isTrue();
        assertThat(ignore.excludes("target/classes/application.properties")).isTrue();
    }

    @Test
    void theImageRunsTheLauncherWithAnArchiveDumpedAtItsOwnPathsAndBundlesTheDrivers() throws IOException {
        String dockerfile = Files.readString(CONTEXT.resolve("Dockerfile"));

        assertThat(dockerfile).contains("COPY target/mixpanel-pipelines /app/mixpanel-pipelines")
                .contains("ENTRYPOINT [\"/app/mixpanel-pipelines\"]")
                // the launcher maps $here/mixpanel-pipelines.jsa for $here/mixpanel-pipelines.jar: here /app
                .contains("-XX:ArchiveClassesAtExit=/app/mixpanel-pipelines.jsa").contains("-jar /app/mixpanel-pipelines.jar")
                .contains("USER 10001:10001").contains("VOLUME [\"/var/lib/mixpanel-pipelines\", \"/tmp\"]")
                .contains("chown 10001:10001 /var/lib/mixpanel-pipelines").contains("WORKDIR /var/lib/mixpanel-pipelines");
        String launcher = Files.readString(CONTEXT.resolve("target/mixpanel-pipelines"));
        assertThat(launcher).contains("-XX:+UseParallelGC").contains("-XX:CompileThresholdScaling=3 -XX:FreqInlineSize=150 -XX:InlineSmallCode=1500").contains("jsa=\"$here/mixpanel-pipelines.jsa\"")
                .contains("\"-XX:SharedArchiveFile=$jsa\"").contains("jar=\"$here/mixpanel-pipelines.jar\"").contains("-jar \"$jar\"");
        try (Stream<Path> ext = Files.list(CONTEXT.resolve("target/lib/ext"))) {
            assertThat(ext.map(p -> p.getFileName().toString()))
                    .anyMatch(n -> n.startsWith("snowflake-jdbc-")).anyMatch(n -> n.startsWith("redshift-jdbc42-"));
        }
    }

    /** The sources of COPY and ADD lines (shell or JSON form, flags skipped); none from another stage. */
    static List<String> copySources(String dockerfile) {
        List<String> sources = new ArrayList<>();
        for (String line : dockerfile.replace("\\\n", " ").split("\n")) {
            String l = line.strip();
            String upper = l.toUpperCase(java.util.Locale.ROOT);
            if (!upper.startsWith("COPY ") && !upper.startsWith("ADD ")) {
                continue;
            }
            String rest = l.substring(l.indexOf(' ') + 1).strip();
            List<String> args = new ArrayList<>();
            for (String a : rest.startsWith("[") ? rest.substring(1, rest.lastIndexOf(']')).split(",") : rest.split("\\s+")) {
                args.add(a.strip().replaceAll("^\"|\"$", ""));
            }
            if (args.stream().anyMatch(a -> a.startsWith("--from="))) {
                continue;
            }
            List<String> operands = args.stream().filter(a -> !a.startsWith("--")).toList();
            sources.addAll(operands.subList(0, operands.size() - 1));
        }
        return sources;
    }

    @Test
    void copySourcesAreReadInBothForms() {
        assertThat(copySources("COPY --chown=1:1 a b /x/\nADD [\"c\", \"/y\"]\nCOPY --from=build /o /p\nRUN echo COPY z\n"))
                .isEqualTo(Arrays.asList("a", "b", "c"));
    }
}
