package io.mixpanelpipelines.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.support.DemoJob;
import io.mixpanelpipelines.support.Jdk25;
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
     * Transparent huge pages for the heap where the kernel gives them to a process that asks ("madvise"), none
     * where it does not (the JVM would only warn), and none when the user's options set large pages either way:
     * the JVM's list of every option it was given, in order (-XX:+PrintVMOptions), shows whether the launcher added
     * one, even where the user's own comes after it and wins.
     */
    @Test
    void transparentHugePagesWhereTheKernelGivesThemOnRequestUnlessTheUserSetsLargePages() throws Exception {
        Path setting = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        boolean onRequest = Files.isReadable(setting) && Files.readString(setting).contains("[madvise]");
        String added = "VM option '+UseTransparentHugePages'";
        if (onRequest) {
            assertThat(vmOptions(Map.of())).contains(added);
        } else {
            assertThat(vmOptions(Map.of())).doesNotContain("UseTransparentHugePages");
        }
        // one variable read before the command line and one after it, each with one of the options that count
        assertThat(vmOptions(Map.of("JAVA_OPTS", "-XX:-UseTransparentHugePages"))).doesNotContain(added)
                .contains("VM option '-UseTransparentHugePages'");
        assertThat(vmOptions(Map.of("JAVA_TOOL_OPTIONS", "-XX:-UseLargePages"))).doesNotContain(added);
    }

    /** {@code --version} through the launcher with {@code env} added: every JVM option given, one line each. */
    private String vmOptions(Map<String, String> env) throws Exception {
        return version(env, "-XX:+PrintVMOptions").lines().filter(l -> l.startsWith("VM option "))
                .collect(java.util.stream.Collectors.joining("\n"));
    }

    /**
     * The JVM's logging warnings go to stderr, not into the command's stdout (by default they go to stdout):
     * -XX:+UseLargePages on a machine without large pages is one. A user's own -Xlog in JAVA_OPTS still works.
     */
    @Test
    void theJvmsWarningsStayOutOfStdout() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of("target/mixpanel-pipelines").toAbsolutePath().toString(), "--version")
                .directory(tmp.toFile()).redirectError(tmp.resolve("err.txt").toFile());
        withoutJavaOptions(pb).remove("JAVA_HOME");
        pb.environment().put("JAVA_OPTS", "-XX:+UseLargePages");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String err = Files.readString(tmp.resolve("err.txt"));
        Assumptions.assumeTrue((out + err).contains("[warning][pagesize]"), "this machine has large pages: no warning to move");
        assertThat(out.strip()).startsWith("mixpanel-pipelines ").doesNotContain("[warning]");

        pb.environment().put("JAVA_OPTS", "-Xlog:gc");
        p = pb.start();
        out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("[info][gc] Using");
    }

    /**
     * {@code --version} through the launcher with {@code env} added: the line of flags the JVM runs with
     * (-XX:+PrintCommandLineFlags), not the lines where it says which variables it picked up.
     */
    private String flags(Map<String, String> env) throws Exception {
        String out = version(env, "-XX:+PrintCommandLineFlags");
        return out.lines().filter(l -> l.startsWith("-XX:")).findFirst().orElseThrow(() -> new AssertionError(out));
    }

    /** What {@code --version} through the launcher prints (stdout and stderr) with {@code env} and {@code option} added. */
    private String version(Map<String, String> env, String option) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of("target/mixpanel-pipelines").toAbsolutePath().toString(), "--version")
                .directory(tmp.toFile()).redirectErrorStream(true);
        withoutJavaOptions(pb).putAll(env);
        pb.environment().merge("JAVA_OPTS", option, (a, b) -> a + " " + b);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    /**
     * On JDK 25 the launcher makes an AOT cache before the first export, from a training run of its own, in a
     * folder whose name has a space: of two first exports at once one trains and the other runs without (the
     * training folder is the lock); both publish, one cache is left and nothing else, stdout holds only what the
     * command prints, and the next command runs with the cache mapped and used; one with the user's own
     * class-data sharing option runs without it (JDK 25 refuses both).
     * Runs only where a JDK 25 is installed (/usr/lib/jvm).
     */
    @Test
    void onJdk25TheFirstExportMakesOneAotCacheThatLaterRunsUse() throws Exception {
        Path jdk25 = Jdk25.find();
        Assumptions.assumeTrue(jdk25 != null, "no JDK 25 in /usr/lib/jvm");
        Path install = install("inst all");
        Map<String, String> env = Map.of("JAVA_HOME", jdk25.toString(), "JAVA_OPTS", "-Xmx512m");
        Process first = start(install, demo("a"), env, "export");
        Process second = start(install, demo("b"), env, "export");
        for (Process p : List.of(first, second)) {
            assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
        }
        String errors = "";
        for (String name : List.of("a", "b")) {
            String out = Files.readString(tmp.resolve(name).resolve("out.txt"));
            String err = Files.readString(tmp.resolve(name).resolve("err.txt"));
            assertThat(out).as(err).contains("7 of 7 day(s) published").doesNotContain("AOT").doesNotContain("[aot");
            assertThat(err).doesNotContain("no AOT cache made").doesNotContain("WARNING: A restricted method");
            errors += err;
        }
        assertThat(first.exitValue()).isZero();
        assertThat(second.exitValue()).isZero();
        assertThat(errors.split("making an AOT cache for this JVM", -1)).as(errors).hasSize(2);
        assertThat(errors).contains("another run is making the AOT cache");
        assertThat(leftovers(install)).singleElement()
                .satisfies(f -> assertThat(f).matches("mixpanel-pipelines-25[^/]*-ParallelGC-[0-9]+-[0-9]+\\.aot"));

        Path log = tmp.resolve("aot.log");
        Process status = start(install, tmp.resolve("a"), Map.of("JAVA_HOME", jdk25.toString(),
                "JAVA_OPTS", "-Xmx512m -Xlog:aot=info:file=" + log), "status", "--json");
        assertThat(status.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String json = Files.readString(tmp.resolve("a").resolve("out.txt"));
        assertThat(status.exitValue()).as(json + Files.readString(tmp.resolve("a").resolve("err.txt"))).isZero();
        assertThat(JsonMapper.builder().build().readTree(json).get("job").asString()).isEqualTo("demo");
        assertThat(Files.readString(tmp.resolve("a").resolve("err.txt"))).doesNotContain("AOT cache");
        // opened, and used: a cache it opens and then refuses says "Unable to use AOT cache"
        assertThat(Files.readString(log)).contains("Opened AOT cache " + install.resolve("mixpanel-pipelines-25"))
                .contains("Using AOT-linked classes: true").doesNotContain("Unable to use");

        // the user's own class-data sharing: JDK 25 refuses it beside -XX:AOTCache, so the launcher adds none
        status = start(install, tmp.resolve("a"), Map.of("JAVA_HOME", jdk25.toString(), "JAVA_OPTS", "-Xshare:off"), "status");
        assertThat(status.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(status.exitValue()).as(Files.readString(tmp.resolve("a").resolve("err.txt"))).isZero();
    }

    /**
     * A JVM that says it is JDK 25 but whose training fails or hangs (a stand-in: JDK 17 behind a script): only
     * an export trains; the export goes on without a cache and a .failed file keeps what the training printed
     * (not the user's environment: the training has none), so that no run tries again; a cache that does not map
     * is refused; SIGTERM ends a training and its folder; a run meanwhile runs without; a training killed with
     * SIGKILL leaves its folder, which the next commands keep while it is young and turn into a .failed once it
     * is an hour old; a .failed that can be neither copied to nor written does not stop the run.
     */
    @Test
    void aFailedOrKilledTrainingLeavesNoCacheAndTheRunsGoOn() throws Exception {
        Path install = install("install");
        // the training prints its environment: none of the user's (a state database, metrics, options) reaches it
        Map<String, String> env = Map.of("JAVA_HOME", fakeJdk25("env; echo 'training: no space left on device'; exit 1").toString(),
                "JAVA_OPTS", "-Xmx512m", "JAVA_TOOL_OPTIONS", "-Dleak.check=s3cret", "OTEL_EXPORTER_OTLP_HEADERS", "token=t0ken");
        Path demo = demo("c");
        Process p = start(install, demo, env, "status");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(Files.readString(demo.resolve("err.txt"))).doesNotContain("AOT cache");
        assertThat(leftovers(install)).as("only an export trains").isEmpty();

        p = start(install, demo, env, "export");
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String err = Files.readString(demo.resolve("err.txt"));
        assertThat(p.exitValue()).as(err).isZero();
        assertThat(Files.readString(demo.resolve("out.txt"))).contains("7 of 7 day(s) published");
        assertThat(err).contains("making an AOT cache").contains("no AOT cache made");
        assertThat(leftovers(install)).singleElement().satisfies(f -> assertThat(f).endsWith(".aot.failed"));
        Path failed = install.resolve(leftovers(install).get(0));
        assertThat(Files.readString(failed)).contains("training: no space left on device").contains("PATH=")
                .doesNotContain("s3cret").doesNotContain("t0ken").doesNotContain("JAVA_OPTS");

        p = start(install, demo, env, "export");
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(Files.readString(demo.resolve("err.txt"))).doesNotContain("AOT cache");

        // a training that exits 0 with a cache no JVM can map: the check refuses it
        Files.delete(failed);
        String junk = "for a; do case $a in -XX:AOTCacheOutput=*) echo junk > \"${a#*=}\" ;; esac; done; exit 0";
        p = start(install, demo, Map.of("JAVA_HOME", fakeJdk25(junk).toString()), "export");
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(Files.readString(demo.resolve("err.txt"))).contains("no AOT cache made");
        assertThat(leftovers(install)).containsExactly(failed.getFileName().toString());

        // SIGTERM during a training that ignores it: the launcher ends it and its folder, and exits 143
        Files.delete(failed);
        Map<String, String> hanging = Map.of("JAVA_HOME", fakeJdk25("trap '' TERM; exec sleep 600").toString());
        p = start(install, demo, hanging, "export");
        awaitTraining(install);
        List<ProcessHandle> stubborn = p.descendants().toList();
        p.destroy();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(143);
        assertThat(stubborn).noneMatch(ProcessHandle::isAlive);
        assertThat(leftovers(install)).isEmpty();

        p = start(install, demo, hanging, "export");
        try {
            awaitTraining(install);
            Path other = demo("d");
            Process meanwhile = start(install, other, hanging, "export");
            assertThat(meanwhile.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(meanwhile.exitValue()).isZero();
            assertThat(Files.readString(other.resolve("err.txt"))).contains("another run is making the AOT cache");
            assertThat(Files.readString(other.resolve("out.txt"))).contains("7 of 7 day(s) published");
        } finally {
            List<ProcessHandle> children = p.descendants().toList();
            p.destroyForcibly().waitFor(); // the launcher first: it must not clean up after itself
            children.forEach(ProcessHandle::destroyForcibly);
        }
        Path left = training(install);
        assertThat(left).isNotNull();
        p = start(install, demo, env, "--version");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(left).as("young: perhaps still running").exists();

        Files.setLastModifiedTime(left, FileTime.from(Instant.now().minusSeconds(7200)));
        p = start(install, demo, env, "--version");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(left).doesNotExist();
        assertThat(Files.readString(failed)).contains("stopped before it finished");

        Files.delete(failed);
        Files.createDirectories(failed.resolve("training.log")); // a .failed that can be neither copied to nor written
        p = start(install, demo, env, "export");
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(Files.readString(demo.resolve("err.txt"))).contains("no AOT cache made");
    }

    /**
     * SIGTERM as soon as the training folder is there, while the launcher's mkdir has not yet returned (a stand-in
     * mkdir that makes the folder, then waits): the folder still goes. Left, every later export would take it for
     * a running training for an hour and then give up the cache (CI saw it left, on a busy machine, when the
     * traps were set only after the folder and its job file were made).
     */
    @Test
    void aSignalJustAfterTheTrainingFolderIsMadeLeavesNoFolder() throws Exception {
        Path install = install("install");
        Path bin = Files.createDirectories(tmp.resolve("slow-mkdir"));
        Path mkdir = bin.resolve("mkdir");
        Files.writeString(mkdir, """
                #!/bin/sh
                /bin/mkdir "$@" || exit
                case "$*" in *.training) sleep 3 ;; esac
                """);
        mkdir.toFile().setExecutable(true);
        Path demo = demo("e");
        Process p = start(install, demo, Map.of("JAVA_HOME", fakeJdk25("exit 1").toString(),
                "PATH", bin + java.io.File.pathSeparator + System.getenv("PATH")), "export");
        awaitTraining(install);
        p.destroy();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(143);
        assertThat(leftovers(install)).isEmpty();
    }

    /** {@code pb}'s environment without the variables that give the JVM options, which this machine's may set. */
    private static Map<String, String> withoutJavaOptions(ProcessBuilder pb) {
        for (String name : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "JAVA_OPTS", "_JAVA_OPTIONS")) {
            pb.environment().remove(name);
        }
        return pb.environment();
    }

    /** The launcher beside the build's jar and lib/ (links), in a folder of its own: its caches go there. */
    private Path install(String name) throws Exception {
        Path install = Files.createDirectories(tmp.resolve(name));
        Files.copy(Path.of("target/mixpanel-pipelines"), install.resolve("mixpanel-pipelines"));
        Files.createSymbolicLink(install.resolve("mixpanel-pipelines.jar"), Path.of("target/mixpanel-pipelines.jar").toAbsolutePath());
        Files.createSymbolicLink(install.resolve("lib"), Path.of("target/lib").toAbsolutePath());
        return install;
    }

    private static void awaitTraining(Path install) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (training(install) == null && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(training(install)).as("a training folder").isNotNull();
    }

    /** The training folder (the lock) in {@code install}, or null. */
    private static Path training(Path install) throws Exception {
        return leftovers(install).stream().filter(f -> f.endsWith(".aot.training")).findFirst().map(install::resolve).orElse(null);
    }

    /**
     * A folder with the demo job at a twentieth of its events and a tenth of its profiles (its data, spool and
     * state go beside it) and the run's output: these tests are about the launcher, and each runs several exports
     * (the first test runs the demo as it is; the launcher's own AOT training job is the demo's full size).
     */
    private Path demo(String name) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name).resolve("jobs"));
        Files.writeString(dir.resolve("demo.yaml"), DemoJob.small());
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
        withoutJavaOptions(pb).remove("JAVA_HOME");
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
        Files.writeString(home.resolve("release"), """
                IMPLEMENTOR="Stand-in"
                JAVA_VERSION="25.0.3"
                JAVA_RUNTIME_VERSION="25.0.3+9-LTS"
                OS_ARCH="x86_64"
                """);
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
}
