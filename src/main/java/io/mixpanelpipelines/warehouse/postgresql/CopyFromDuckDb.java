package io.mixpanelpipelines.warehouse.postgresql;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;

/**
 * Streams the rows of a DuckDB query (over the Parquet files, in this process: parquet-java's reader needs
 * Hadoop) into PostgreSQL with {@code COPY ... FROM STDIN (FORMAT text)}, for the events and the
 * people/identity loaders. A failure while rows are written cancels the COPY, so the transaction it is part
 * of can roll back. Stateless.
 */
final class CopyFromDuckDb {

    /** Writes every row of the query's result in COPY's text format. */
    interface Rows {
        void write(ResultSet rs, Writer w) throws SQLException, IOException;
    }

    private CopyFromDuckDb() {
    }

    /** Runs {@code select} in a fresh in-memory DuckDB and copies what {@code rows} writes; returns the rows copied. */
    static long copy(Connection pg, String copySql, String select, Rows rows) throws SQLException, IOException {
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
                Statement s = duck.createStatement();
                ResultSet rs = s.executeQuery(select)) {
            PGCopyOutputStream copyOut = new PGCopyOutputStream(pg.unwrap(PGConnection.class), copySql, 1 << 16);
            // not closed: closing after endCopy() would flush into the finished COPY
            Writer w = new BufferedWriter(new OutputStreamWriter(copyOut, StandardCharsets.UTF_8), 1 << 16);
            try {
                rows.write(rs, w);
                w.flush();
            } catch (SQLException | IOException | RuntimeException e) {
                if (copyOut.isActive()) {
                    copyOut.cancelCopy();
                }
                throw e;
            }
            return copyOut.endCopy();
        }
    }

    /**
     * A DuckDB expression for a timestamp column as text with an explicit {@code +00} offset, so that no
     * session timezone is involved on either side.
     */
    static String ts(String column) {
        return "strftime(make_timestamp(epoch_us(" + column + ")), '%Y-%m-%d %H:%M:%S.%f') || '+00'";
    }

    /**
     * A value in COPY's text format: {@code \N} for null; backslash, newline, carriage return and tab
     * escaped; U+0000, which no PostgreSQL text value can hold, as U+FFFD. (A JSON text never holds a raw
     * U+0000, so {@code properties} is never changed.)
     */
    static void writeText(Writer w, String v) throws IOException {
        if (v == null) {
            w.write("\\N");
            return;
        }
        int start = 0;
        int n = v.length();
        for (int i = 0; i < n; i++) {
            char ch = v.charAt(i);
            String esc = switch (ch) {
                case '\\' -> "\\\\";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                case '\0' -> "\uFFFD";
                default -> null;
            };
            if (esc != null) {
                w.write(v, start, i - start);
                w.write(esc);
                start = i + 1;
            }
        }
        w.write(v, start, n - start);
    }

}
