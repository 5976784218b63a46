package io.mixpanelpipelines.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.core.env.PropertyResolver;

/**
 * Where a job's state (partitions, request budget, runs) is kept, by default: an embedded H2 file
 * database in {@code data/state} of the job file's folder, so that every command given the same job file
 * sees the same state and budget, whatever folder it runs from. {@code SPRING_DATASOURCE_URL} (or
 * {@code spring.datasource.url}) overrides it, e.g. with PostgreSQL; this default sits below every other
 * source of Spring properties. Also describes a state store for people, without its credentials.
 */
public final class StateStoreLocation {

    /** The Spring property that names the state database. */
    public static final String URL_PROPERTY = "spring.datasource.url";
    /** The default state folder, relative to the job file's folder. */
    public static final String DEFAULT_FOLDER = "data/state";

    private static final Pattern USER_INFO = Pattern.compile("(//)[^/@]*@");
    private static final Pattern CREDENTIAL_PARAMETER = Pattern.compile(
            "(?i)([?&;])(password|user|username|sslpassword|sslkey|access_token|token)=[^&;]*");

    private StateStoreLocation() {
    }

    /** The H2 database folder of the jobs in {@code jobFolder} (absolute). */
    public static Path h2Folder(Path jobFolder) {
        return jobFolder.toAbsolutePath().normalize().resolve(DEFAULT_FOLDER);
    }

    /**
     * The JDBC URL of the H2 database in {@code folder}. {@code WRITE_DELAY=0}: a commit is on disk before it
     * returns, so a killed run never loses a checkpoint it saved; {@code AUTO_SERVER}: the commands of
     * several processes share it.
     */
    public static String h2Url(Path folder) {
        return "jdbc:h2:file:" + folder.toAbsolutePath().normalize().resolve("pipelines") + ";AUTO_SERVER=TRUE;WRITE_DELAY=0";
    }

    /** The default Spring properties of the jobs in {@code jobFolder}: the H2 state store in its {@code data/state}. */
    public static Map<String, Object> defaults(Path jobFolder) {
        return Map.of(URL_PROPERTY, h2Url(h2Folder(jobFolder)));
    }

    /** {@link #describe(String)} of the state database a Spring environment names. */
    public static String describe(PropertyResolver properties) {
        return describe(properties.getProperty(URL_PROPERTY));
    }

    /**
     * For people: {@code H2 file /abs/data/state/pipelines.mv.db} for an H2 file database, otherwise the JDBC
     * URL without user info or credential parameters ({@code jdbc:postgresql://db:5432/pipelines}).
     */
    public static String describe(String jdbcUrl) {
        if (jdbcUrl == null || jdbcUrl.isBlank()) {
            return "(no state database configured)";
        }
        if (jdbcUrl.startsWith("jdbc:h2:file:")) {
            String path = jdbcUrl.substring("jdbc:h2:file:".length());
            int options = path.indexOf(';');
            return "H2 file " + (options < 0 ? path : path.substring(0, options)) + ".mv.db";
        }
        String url = USER_INFO.matcher(jdbcUrl).replaceFirst("$1");
        url = CREDENTIAL_PARAMETER.matcher(url).replaceAll("$1").replaceAll("([?&;])[&;]+", "$1").replaceAll("[?&;]+$", "");
        return url;
    }
}
