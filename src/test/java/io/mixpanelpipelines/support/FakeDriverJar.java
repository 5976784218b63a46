package io.mixpanelpipelines.support;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A jar holding a stand-in for Snowflake's JDBC driver ({@code net.snowflake.client.jdbc.SnowflakeDriver},
 * registered in {@code META-INF/services/java.sql.Driver}), compiled by the test itself. It accepts
 * {@code jdbc:snowflake:} URLs and answers with an H2 in-memory connection; each connect records, in system
 * properties, the URL and whether the thread's context class loader was the driver's own.
 */
public final class FakeDriverJar {

    public static final String CONNECTED_URL = "fake.snowflake.connected";
    public static final String CONTEXT_WAS_DRIVERS = "fake.snowflake.contextIsDriverLoader";

    private static final String SOURCE = """
            package net.snowflake.client.jdbc;

            import java.sql.*;
            import java.util.Properties;
            import java.util.logging.Logger;

            public class SnowflakeDriver implements Driver {
                public Connection connect(String url, Properties info) throws SQLException {
                    if (!acceptsURL(url)) {
                        return null;
                    }
                    System.setProperty("%s", url);
                    System.setProperty("%s",
                            String.valueOf(Thread.currentThread().getContextClassLoader() == SnowflakeDriver.class.getClassLoader()));
                    return DriverManager.getConnection("jdbc:h2:mem:fake-snowflake;DB_CLOSE_DELAY=-1");
                }
                public boolean acceptsURL(String url) { return url != null && url.startsWith("jdbc:snowflake:"); }
                public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) { return new DriverPropertyInfo[0]; }
                public int getMajorVersion() { return 0; }
                public int getMinorVersion() { return 1; }
                public boolean jdbcCompliant() { return false; }
                public Logger getParentLogger() { return Logger.getGlobal(); }
            }
            """.formatted(CONNECTED_URL, CONTEXT_WAS_DRIVERS);

    private FakeDriverJar() {
    }

    /** Compiles the driver in {@code work} and writes the jar to {@code jar}. */
    public static Path build(Path work, Path jar) throws IOException {
        Path src = work.resolve("fake-driver-src/net/snowflake/client/jdbc/SnowflakeDriver.java");
        Path classes = work.resolve("fake-driver-classes");
        Files.createDirectories(src.getParent());
        Files.createDirectories(classes);
        Files.writeString(src, SOURCE);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-d", classes.toString(), "--release", "17", src.toString());
        if (rc != 0) {
            throw new IllegalStateException("javac failed on the fake driver: " + rc);
        }
        Files.createDirectories(jar.toAbsolutePath().getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            String cls = "net/snowflake/client/jdbc/SnowflakeDriver.class";
            put(out, cls, Files.readAllBytes(classes.resolve(cls)));
            put(out, "META-INF/services/java.sql.Driver", "net.snowflake.client.jdbc.SnowflakeDriver\n".getBytes(StandardCharsets.UTF_8));
        }
        return jar;
    }

    private static void put(JarOutputStream out, String name, byte[] bytes) throws IOException {
        out.putNextEntry(new JarEntry(name));
        OutputStream o = out;
        o.write(bytes);
        out.closeEntry();
    }

    /** The job file's lines of a Snowflake warehouse reached through the fake driver. */
    public static List<String> warehouseLines() {
        return List.of("warehouse:", "  type: snowflake", "  url: jdbc:snowflake://fake.example/?db=x", "  table: analytics.events",
                "  stage: analytics.public.mixpanel");
    }
}
