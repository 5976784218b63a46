package io.mixpanelpipelines.support;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * A class-data archive (AppCDS) of the test class path for the child JVMs, as {@code target/mixpanel-pipelines.jsa}
 * is for the packaged jar: made once per test JVM, at its first child, by a training run of the demo job with
 * {@code -XX:ArchiveClassesAtExit}, it starts each child sooner (about 0.9 s for the packaged jar's archive). With
 * the children's first JIT tier and the two test forks, it is what brought the suite near CI's 15 minutes on 2 cores
 * (docs/development.md).
 *
 * <p>JDK 17 archives no class from a folder and refuses to dump beside a non-empty one, so the children's class
 * path has the class folders ({@code target/test-classes}, {@code target/classes}) as one jar, at their place
 * and in their order (the first folder's file wins, as on the folders' class path). When anything fails, the
 * children run on the plain class path without an archive: the same commands, slower, and a line on stderr.
 */
final class ChildClassDataArchive {

    /** How a child is started: its class path and the options that map the archive (none without one). */
    record Launch(String classPath, List<String> options) {}

    private static Launch launch;

    private ChildClassDataArchive() {
    }

    static synchronized Launch get() {
        if (launch == null) {
            launch = make();
        }
        return launch;
    }

    private static Launch make() {
        String plain = System.getProperty("java.class.path");
        try {
            Path parent = Files.isDirectory(Path.of("target")) ? Path.of("target") : Path.of(System.getProperty("java.io.tmpdir"));
            Path dir = Files.createTempDirectory(parent.toAbsolutePath(), "child-cds-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> TestFiles.deleteTreeQuietly(dir)));
            String classPath = jarringFolders(plain, dir.resolve("classes.jar"));
            Path archive = dir.resolve("children.jsa");
            if (train(classPath, archive, dir.resolve("training"))) {
                List<String> options = List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds*=off");
                if (maps(classPath, options)) {
                    return new Launch(classPath, options);
                }
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("child JVMs start without a class-data archive: " + e);
        } catch (InterruptedException e) {
            System.err.println("child JVMs start without a class-data archive: interrupted while making it");
            Thread.currentThread().interrupt();
        }
        return new Launch(plain, List.of());
    }

    /** The class path with its folders replaced by one jar of their files, where the first folder was. */
    static String jarringFolders(String classPath, Path jar) throws IOException {
        List<String> entries = new ArrayList<>();
        List<Path> folders = new ArrayList<>();
        for (String e : classPath.split(File.pathSeparator)) {
            if (e.isEmpty()) {
                continue; // the test class path has none; on the JVM's it would mean the working folder
            }
            if (Files.isDirectory(Path.of(e))) {
                if (folders.isEmpty()) {
                    entries.add(jar.toString());
                }
                folders.add(Path.of(e));
            } else {
                entries.add(e);
            }
        }
        if (folders.isEmpty()) {
            return classPath;
        }
        Set<String> written = new HashSet<>();
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.setLevel(java.util.zip.Deflater.NO_COMPRESSION);
            for (Path folder : folders) {
                List<Path> files;
                try (Stream<Path> walk = Files.walk(folder)) {
                    files = walk.filter(f -> !f.equals(folder)).sorted().toList();
                }
                for (Path f : files) {
                    // folders too: a class path scan (Flyway's migrations) lists a jar's folder by its entry
                    boolean isFolder = Files.isDirectory(f);
                    String name = folder.relativize(f).toString().replace(File.separatorChar, '/') + (isFolder ? "/" : "");
                    if (written.add(name)) {
                        out.putNextEntry(new JarEntry(name));
                        if (!isFolder) {
                            Files.copy(f, out);
                        }
                        out.closeEntry();
                    }
                }
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /** Runs {@link DemoJob#small} (its built-in simulator, 7,000 events, 300 profiles) and dumps the classes it loaded. */
    private static boolean train(String classPath, Path archive, Path work) throws IOException, InterruptedException {
        Path job = Path.of("jobs/demo.yaml");
        if (!Files.isRegularFile(job)) {
            System.err.println("child JVMs start without a class-data archive: no " + job.toAbsolutePath());
            return false;
        }
        Files.createDirectories(work.resolve("jobs"));
        // the demo's code at a twentieth of its size: the archive holds the classes of the full demo's run
        Files.writeString(work.resolve("jobs/demo.yaml"), DemoJob.small());
        List<String> cmd = new ArrayList<>(List.of(ChildJvm.java(), "-XX:ArchiveClassesAtExit=" + archive, "-Xlog:cds*=off", "-Xmx512m"));
        cmd.addAll(ChildJvm.QUICK_START);
        cmd.addAll(List.of("-cp", classPath, "io.mixpanelpipelines.cli.Main", "export", "--job", "jobs/demo.yaml"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile())
                .redirectOutput(work.resolve("out.txt").toFile()).redirectError(work.resolve("err.txt").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("SPRING_") || k.equals("JAVA_TOOL_OPTIONS")
                || k.equals("JDK_JAVA_OPTIONS") || k.equals("_JAVA_OPTIONS"));
        Process p = pb.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            System.err.println("child JVMs start without a class-data archive: the training did not end in 180 s");
            return false;
        }
        if (p.exitValue() != 0 || !Files.isRegularFile(archive)) {
            System.err.println("child JVMs start without a class-data archive: the training exited " + p.exitValue() + ":\n"
                    + Files.readString(work.resolve("err.txt")));
            return false;
        }
        TestFiles.deleteTreeQuietly(work);
        return true;
    }

    /**
     * Whether a JVM maps the archive: with {@code -Xshare:on} it refuses to start when it cannot (another class
     * path, a damaged file), where the children's {@code -Xshare:auto} would run on without it, silently.
     */
    private static boolean maps(String classPath, List<String> options) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ChildJvm.java(), "-Xshare:on"));
        cmd.addAll(options);
        cmd.addAll(List.of("-cp", classPath, "-version"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            System.err.println("child JVMs start without a class-data archive: a JVM cannot map it:\n" + out);
            return false;
        }
        return true;
    }
}
