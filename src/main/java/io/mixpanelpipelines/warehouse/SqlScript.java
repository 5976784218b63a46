package io.mixpanelpipelines.warehouse;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A DDL script of the classpath ({@code sql/warehouse/<warehouse>/...sql}) for warehouses that Flyway does
 * not serve or that a loader creates on first use: {@code {schema}} and {@code {table}} filled in, line
 * comments dropped, split at {@code ;} (the scripts hold no {@code ;} inside a statement). Stateless.
 */
public final class SqlScript {

    private SqlScript() {
    }

    /**
     * The statements of the script at {@code path} (relative to the classpath root).
     *
     * @throws IllegalStateException when the script cannot be read: the build is broken
     */
    public static List<String> read(String path, String schema, String table) {
        String ddl;
        try (InputStream in = SqlScript.class.getResourceAsStream("/" + path)) {
            ddl = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("{schema}", schema).replace("{table}", table);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + path, e);
        }
        List<String> statements = new ArrayList<>();
        for (String statement : ddl.replaceAll("(?m)^--.*$", "").split(";")) {
            if (!statement.isBlank()) {
                statements.add(statement);
            }
        }
        return statements;
    }

    /** Runs the statements one after the other. */
    public static void execute(Statement s, List<String> statements) throws SQLException {
        for (String statement : statements) {
            s.execute(statement);
        }
    }
}
