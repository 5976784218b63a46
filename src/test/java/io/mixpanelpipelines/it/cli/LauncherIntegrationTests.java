package io.mixpanelpipelines.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

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

    /**
     * On JDK 25 the launcher makes an AOT cache before the first export, from a training run of its own: two
     * first exports at once each make one under a name of their own and rename it, so one complete cache is
     * left and nothing else; stdout holds only what the command prints, and the next command maps the cache.
     * Runs only where a JDK 25 is installed (/usr/lib/jvm).
     */
    @Test
    void onJdk25TheFirstExportsMakeOneAotCacheThatLaterRunsUse() throws Exception {
        Path jdk25 = jdk25();
        Assumptions.assumeTrue(jdk25 != null, "no JDK 25 in /usr/lib/jvm");
        Path install = install();
        Map<String, String> env = Map.of("JAVA_HOME", jdk25.toString(), "JAVA_OPTS", "-Xmx512m");
        Process first = start(install, demo("a"), env, "export");
        Process second = start(install, demo("b"), env, "export");
        for (Process p : List.of(first, second)) {
            assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
        }
        for (String name : List.of("a", "b")) {
            String out = Files.readString(tmp.resolve(name).resolve("out.txt"));
            String err = Files.readString(tmp.resolve(name).resolve("err.txt"));
            assertThat(out).as(err).contains("7 of 7 day(s) published").doesNotContain("AOT").doesNotContain("[aot");
            assertThat(err).contains("making an AOT cache for this JVM").doesNotContain("no AOT cache made")
                    .doesNotContain("WARNING: A restricted method");
        }
        assertThat(first.exitValue()).isZero();
        assertThat(second.exitValue()).isZero();
        try (Stream<Path> files = Files.list(install)) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(f -> f.contains(".aot")))
                    .singleElement().satisfies(f -> assertThat(f).matches("mixpanel-pipelines-25[^/]*\\.aot"));
        }

        Path log = tmp.resolve("aot.log");
        Process status = start(install, tmp.resolve("a"), Map.of("JAVA_HOME", jdk25.toString(),
                "JAVA_OPTS", "-Xmx512m -Xlog:aot=info:file=" + log), "status", "--json");
        assertThat(status.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String json = Files.readString(tmp.resolve("a").resolve("out.txt"));
        assertThat(status.exitValue()).as(json).isZero();
        assertThat(JsonMapper.builder().build().readTree(json).get("job").asString()).isEqualTo("demo");
        assertThat(Files.readString(tmp.resolve("a").resolve("err.txt"))).doesNotContain("AOT cache");
        assertThat(Files.readString(log)).contains("Opened AOT cache " + install.resolve("mixpanel-pipelines-"));
    }

    /**
     * A JVM that says it is JDK 25 but fails the training run (a stand-in: JDK 17 behind a script that fails,
     * or hangs, when asked for an AOT cache): the export goes on without a cache, a .failed file keeps what the
     * training printed, and later exports do not try again until that file is older than the jar. A training
     * killed with SIGKILL leaves its scratch folder and partial cache, which the next command deletes.
     */
    @Test
    void aFailedOrKilledTrainingLeavesNoCacheAndTheRunsGoOn() throws Exception {
        Path install = install();
        Path home = fakeJdk25("echo 'training: no space left on device'; exit 1");
        Map<String, String> env = Map.of("JAVA_HOME", home.toString(), "JAVA_OPTS", "-Xmx512m");
        Path demo = demo("c");
        Process p = start(install, demo, env, "export");
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String err = Files.readString(demo.resolve("err.txt"));
        assertThat(p.exitValue()).as(err).isZero();
        assertThat(Files.readString(demo.resolve("out.txt"))).contains("7 of 7 day(s) published");
        assertThat(err).contains("making an AOT cache").contains("no AOT cache made");
        Path failed = install.resolve("mixpanel-pipelines-25.0.3+9-LTS.aot.failed");
        assertThat(Files.readString(failed)).contains("training: no space left on device");
        assertThat(leftovers(install)).containsExactly("mixpanel-pipelines-25.0.3+9-LTS.aot.failed");

        p = start(install, demo, env, "export");
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(Files.readString(demo.resolve("err.txt"))).doesNotContain("AOT cache");

        Files.setLastModifiedTime(failed, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        Path hanging = fakeJdk25("exec sleep 600");
        p = start(install, demo, Map.of("JAVA_HOME", hanging.toString()), "export");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (leftovers(install).stream().noneMatch(f -> f.endsWith(".work")) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(leftovers(install)).anyMatch(f -> f.endsWith(".work"));
        // a training still running keeps its files
        Process meanwhile = start(install, Files.createDirectories(tmp.resolve("c2")), env, "--version");
        assertThat(meanwhile.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(leftovers(install)).anyMatch(f -> f.endsWith(".work"));
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly().waitFor();
        // as a JVM killed while recording its training (the configuration) or writing the cache leaves them
        Files.writeString(install.resolve("mixpanel-pipelines-25.0.3+9-LTS.aot." + p.pid() + ".tmp.config"), "");
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(install.resolve("mixpanel-pipelines-25.0.3+9-LTS.aot." + gone.pid() + ".tmp"), "partial");

        p = start(install, demo, env, "--version");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(leftovers(install)).containsExactly("mixpanel-pipelines-25.0.3+9-LTS.aot.failed");
    }

    /** The launcher beside the build's jar and lib/ (links), in a folder of its own: its caches go there. */
    private Path install() throws Exception {
        Path install = Files.createDirectories(tmp.resolve("install"));
        Files.copy(Path.of("target/mixpanel-pipelines"), install.resolve("mixpanel-pipelines"));
        Files.createSymbolicLink(install.resolve("mixpanel-pipelines.jar"), Path.of("target/mixpanel-pipelines.jar").toAbsolutePath());
        Files.createSymbolicLink(install.resolve("lib"), Path.of("target/lib").toAbsolutePath());
        return install;
    }

    /** A folder with a copy of the demo job (its data, spool and state go beside it) and the run's output. */
    private Path demo(String name) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name).resolve("jobs"));
        Files.copy(Path.of("jobs/demo.yaml"), dir.resolve("demo.yaml"));
        return dir.getParent();
    }

    private static Process start(Path install, Path demo, Map<String, String> env, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(install.resolve("mixpanel-pipelines").toString()));
        command.addAll(List.of(args));
        if (!args[0].startsWith("-")) {
            command.addAll(List.of("--job", demo.resolve("jobs/demo.yaml").toString()));
        }
        ProcessBuilder pb = new ProcessBuilder(command).directory(demo.toFile())
                .redirectOutput(demo.resolve("out.txt").toFile()).redirectError(demo.resolve("err.txt").toFile());
        for (String name : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "JAVA_OPTS", "_JAVA_OPTIONS", "JAVA_HOME")) {
            pb.environment().remove(name);
        }
        pb.environment().putAll(env);
        return pb.start();
    }

    /** The install folder's files other than the launcher, the jar and lib/. */
    private static List<String> leftovers(Path install) throws Exception {
        try (Stream<Path> files = Files.list(install)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(f -> !List.of("mixpanel-pipelines", "mixpanel-pipelines.jar", "lib").contains(f)).sorted().toList();
        }
    }

    /**
     * A JAVA_HOME whose release file says JDK 25 and whose java runs this JVM, except when asked to make an AOT
     * cache: then {@code training} (shell).
     */
    private Path fakeJdk25(String training) throws Exception {
        Path home = Files.createDirectories(tmp.resolve("jdk25-" + Integer.toHexString(training.hashCode())).resolve("bin"))
                .getParent();
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"25.0.3\"\nJAVA_RUNTIME_VERSION=\"25.0.3+9-LTS\"\n");
        Path java = home.resolve("bin/java");
        Files.writeString(java, """
                #!/bin/sh
                case "$*" in
                  *AOTCacheOutput*) %s ;;
                esac
                exec "%s" "$@"
                """.formatted(training, Path.of(System.getProperty("java.home"), "bin", "java")));
        java.toFile().setExecutable(true);
        return home;
    }

    private static Path jdk25() throws Exception {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return null;
        }
        try (Stream<Path> homes = Files.list(jvms)) {
            return homes.filter(h -> Files.isExecutable(h.resolve("bin/java"))).filter(h -> {
                try {
                    return Files.readString(h.resolve("release"), StandardCharsets.UTF_8).contains("JAVA_VERSION=\"25");
                } catch (java.io.IOException e) {
                    return false;
                }
            }).sorted().findFirst().orElse(null);
        }
    }
}
