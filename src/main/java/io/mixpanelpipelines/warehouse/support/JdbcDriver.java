package io.mixpanelpipelines.warehouse.support;

import io.mixpanelpipelines.config.InvalidJobException;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Finds a warehouse's JDBC driver: on the application's class path, else in the extension jars, which are
 * {@code lib/ext/*.jar} beside the application jar and the entries of {@code MIXPANEL_PIPELINES_CLASSPATH}
 * (separated by {@link File#pathSeparator}; a folder stands for its jars).
 *
 * <p>Why a class loader of its own rather than the class path: {@code java -jar} ignores {@code -cp}, and a
 * manifest {@code Class-Path} folder serves classes, not the jars inside it. Why not the launcher building
 * {@code -cp}: the image and users run {@code java -jar}, and the class-data archive only maps with the class
 * path it was dumped with. The extension loader is also kept away from the application: a fat driver such
 * as snowflake-jdbc registers services ({@code java.security.Provider}, {@code XMLInputFactory}, Micrometer
 * {@code ContextAccessor}s of its shaded classes) that must not change how the rest of the tool runs.
 *
 * <p>A driver found nowhere is a configuration error ({@link InvalidJobException}, exit 2: no retry can fix
 * it) naming the driver's Maven coordinates and where to put its jar.
 */
public record JdbcDriver(String name, String driverClass, String coordinates) {

    /** The variable that adds extension jars or folders. */
    public static final String CLASSPATH_VARIABLE = "MIXPANEL_PIPELINES_CLASSPATH";

    public static final JdbcDriver POSTGRESQL = new JdbcDriver("PostgreSQL", "org.postgresql.Driver", "org.postgresql:postgresql");
    public static final JdbcDriver SNOWFLAKE = new JdbcDriver("Snowflake", "net.snowflake.client.jdbc.SnowflakeDriver",
            "net.snowflake:snowflake-jdbc");
    public static final JdbcDriver REDSHIFT = new JdbcDriver("Redshift", "com.amazon.redshift.jdbc42.Driver",
            "com.amazon.redshift:redshift-jdbc42");

    /**
     * The class loader that loads this driver: the application's, or a new one over the extension jars (the
     * caller closes it when done with the driver).
     *
     * @throws InvalidJobException when the driver is in neither
     */
    public ClassLoader locate(Map<String, String> environment) {
        ClassLoader app = JdbcDriver.class.getClassLoader();
        if (loads(app)) {
            return app;
        }
        List<Path> folders = new ArrayList<>();
        List<URL> jars = extensionJars(environment, folders);
        if (!jars.isEmpty()) {
            URLClassLoader ext = new URLClassLoader("extensions", jars.toArray(URL[]::new), app);
            if (loads(ext)) {
                return ext;
            }
            close(ext);
        }
        throw new InvalidJobException("the " + name + " JDBC driver (" + driverClass + ") is not installed: put the jar of "
                + coordinates + " (Maven Central) in " + (folders.isEmpty() ? "lib/ext/ beside mixpanel-pipelines.jar" : folders.get(0))
                + " or name it in " + CLASSPATH_VARIABLE + " (" + jars.size() + " extension jar(s) searched)");
    }

    private boolean loads(ClassLoader loader) {
        try {
            Class.forName(driverClass, false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** The extension jars, in order: {@code lib/ext} beside the application jar, then the variable's entries. */
    static List<URL> extensionJars(Map<String, String> environment, List<Path> folders) {
        List<Path> entries = new ArrayList<>();
        applicationJar().ifPresent(jar -> {
            Path ext = jar.resolveSibling("lib").resolve("ext");
            folders.add(ext);
            entries.add(ext);
        });
        String variable = environment.get(CLASSPATH_VARIABLE);
        if (variable != null) {
            for (String e : variable.split(File.pathSeparator)) {
                if (!e.isBlank()) {
                    entries.add(Path.of(e.strip()));
                }
            }
        }
        List<URL> urls = new ArrayList<>();
        for (Path p : entries) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().forEach(f -> urls.add(url(f)));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot list the extension folder " + p, e);
                }
            } else if (Files.isRegularFile(p)) {
                urls.add(url(p));
            }
        }
        return urls;
    }

    /** The jar this class was loaded from; empty when run from a classes folder (tests, IDE). */
    private static java.util.Optional<Path> applicationJar() {
        CodeSource source = JdbcDriver.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return java.util.Optional.empty();
        }
        try {
            Path p = Path.of(source.getLocation().toURI());
            return Files.isRegularFile(p) ? java.util.Optional.of(p) : java.util.Optional.empty();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return java.util.Optional.empty();
        }
    }

    private static URL url(Path p) {
        try {
            return p.toAbsolutePath().toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("not a usable path: " + p, e);
        }
    }

    static void close(ClassLoader loader) {
        if (loader instanceof URLClassLoader u && loader != JdbcDriver.class.getClassLoader()) {
            try {
                u.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close the extension class loader", e);
            }
        }
    }
}
