package io.mixpanelpipelines.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher the build writes ({@code target/mixpanel-pipelines}) runs the demo job the way a user would,
 * with -Xshare:on so that a class-data archive the JVM cannot map fails the run instead of being ignored.
 */
class LauncherIntegrationTests {

    @TempDir
    Path tmp;

    @Test
    void theLauncherRunsTheDemoJobWithTheBuildsClassDataArchive() throws Exception {
        Path launcher = Path.of("target/mixpanel-pipelines").toAbsolutePath();
        assertThat(launcher).isExecutable();
        assertThat(Path.of("target/mixpanel-pipelines.jsa")).as("package dumps the archive").exists();
        // a copy: the demo's paths (data, spool, state) are relative to its folder, which must not be the repository's
        Path demo = Files.copy(Path.of("jobs/demo.yaml"), Files.createDirectories(tmp.resolve("jobs")).resolve("demo.yaml"));
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "export", "--job", demo.toString())
                .directory(tmp.toFile())
                .redirectOutput(tmp.resolve("out.txt").toFile())
                .redirectError(tmp.resolve("err.txt").toFile());
        pb.environment().put("JAVA_OPTS", "-Xshare:on -Xmx512m");

        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();

        String out = Files.readString(tmp.resolve("out.txt"));
        String err = Files.readString(tmp.resolve("err.txt"));
        assertThat(p.exitValue()).as(err).isZero();
        assertThat(out).contains("7 of 7 day(s) published");
        assertThat(out + err).doesNotContainIgnoringCase("shared archive").doesNotContain("[cds");
    }

    /**
     * The launcher's throughput collector gives way to one the user picks, wherever: the JVM refuses two. The
     * JVM's own list of the flags it runs with says which collector it got.
     */
    @Test
    void aCollectorChosenByTheUserReplacesTheLaunchersOwn() throws Exception {
        assertThat(flags(Map.of())).contains("-XX:+UseParallelGC").doesNotContain("-XX:+UseG1GC");
        assertThat(flags(Map.of("JAVA_OPTS", "-XX:+UseG1GC"))).contains("-XX:+UseG1GC").doesNotContain("-XX:+UseParallelGC");
        assertThat(flags(Map.of("JAVA_TOOL_OPTIONS", "-Xmx256m -XX:+UseSerialGC"))).contains("-XX:+UseSerialGC")
                .doesNotContain("-XX:+UseParallelGC");
        assertThat(flags(Map.of("JDK_JAVA_OPTIONS", "-XX:+UseG1GC"))).contains("-XX:+UseG1GC");
        assertThat(flags(Map.of("_JAVA_OPTIONS", "-XX:+UseG1GC"))).contains("-XX:+UseG1GC").doesNotContain("-XX:+UseParallelGC");
        assertThat(flags(Map.of("JAVA_OPTS", "-XX:+UseParallelGC -Xmx256m"))).contains("-XX:+UseParallelGC");
    }

    /**
     * {@code --version} through the launcher with {@code env} added: the line of flags the JVM runs with
     * (-XX:+PrintCommandLineFlags), not the lines where it says which variables it picked up.
     */
    private String flags(Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of("target/mixpanel-pipelines").toAbsolutePath().toString(), "--version")
                .directory(tmp.toFile()).redirectErrorStream(true);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("JAVA_OPTS");
        pb.environment().remove("_JAVA_OPTIONS");
        pb.environment().putAll(env);
        pb.environment().merge("JAVA_OPTS", "-XX:+PrintCommandLineFlags", (a, b) -> a + " " + b);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().filter(l -> l.startsWith("-XX:")).findFirst().orElseThrow(() -> new AssertionError(out));
    }
}
