package io.mixpanelpipelines.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs the real command line ({@code io.mixpanelpipelines.cli.Main}) in a separate JVM, as a user would. */
public final class ChildJvm {

    /** For commands that start, read a little and end (status, plan): the JIT's first tier only starts faster. */
    public static final List<String> QUICK_START = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    public final Process process;
    public final Path stdout;
    public final Path stderr;

    private ChildJvm(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * @param name prefix of the files that receive its stdout and stderr, in {@code dir}
     * @param systemProperties {@code key=value} pairs passed as {@code -D}
     */
    public static ChildJvm start(Path dir, String name, Map<String, String> env, List<String> systemProperties, String... args)
            throws IOException {
        return startWithJvmOptions(dir, name, env, List.of(), systemProperties, args);
    }

    /**
     * As {@link #start}, with JVM options, e.g. {@link #QUICK_START} for a short command or {@code -Xlog:gc};
     * an {@code -Xmx} among them replaces the default {@code -Xmx512m}. Without options a child runs with
     * {@link #QUICK_START}: the tests' days are small, and the suite starts many children on 2 cores.
     * Every child maps the test class path's class-data archive ({@link ChildClassDataArchive}).
     */
    public static ChildJvm startWithJvmOptions(Path dir, String name, Map<String, String> env, List<String> jvmOptions,
            List<String> systemProperties, String... args) throws IOException {
        ChildClassDataArchive.Launch launch = ChildClassDataArchive.get();
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        if (jvmOptions.stream().noneMatch(o -> o.startsWith("-Xmx"))) {
            cmd.add("-Xmx512m");
        }
        cmd.addAll(jvmOptions.isEmpty() ? QUICK_START : jvmOptions);
        cmd.addAll(launch.options());
        cmd.add("-cp");
        cmd.add(launch.classPath());
        for (String p : systemProperties) {
            cmd.add("-D" + p);
        }
        cmd.add("io.mixpanelpipelines.cli.Main");
        cmd.addAll(List.of(args));
        Path out = dir.resolve(name + ".out");
        Path err = dir.resolve(name + ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        return new ChildJvm(pb.start(), out, err);
    }

    /** This JVM's {@code java}, which every child runs on. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    public int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    public String out() throws IOException {
        return Files.readString(stdout);
    }

    public String err() throws IOException {
        return Files.readString(stderr);
    }

    /** Waits until some day has {@code parts} closed parts in staging; returns that day's staging folder. */
    public static Path waitForStagedParts(Path staging, int parts, ChildJvm child) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!child.process.isAlive()) {
                throw new AssertionError("the export ended before it could be killed: " + child.err());
            }
            if (Files.isDirectory(staging)) {
                try (java.util.stream.Stream<Path> days = Files.list(staging)) {
                    for (Path day : days.toList()) {
                        try (java.util.stream.Stream<Path> files = Files.list(day)) {
                            if (files.filter(f -> f.getFileName().toString().startsWith("part-")).count() >= parts) {
                                return day;
                            }
                        } catch (java.nio.file.NoSuchFileException raced) {
                            // published meanwhile
                        }
                    }
                }
            }
            Thread.sleep(2);
        }
        child.process.destroyForcibly();
        throw new AssertionError("no day reached " + parts + " staged parts in time");
    }
}
