package io.mixpanelpipelines.state.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The state store's schema, migrated by Flyway from {@code sql/state}. Flyway scans, parses and validates
 * every migration whenever it runs, which was an eighth of a command's start; {@link #migrateUnlessCurrent}
 * asks the history table one question first and leaves Flyway out when this build's latest migration is
 * already applied and none has failed. A new, a partly migrated or a failed store still goes through
 * Flyway, which also takes its lock for concurrent starts.
 */
public final class StateSchema {

    /**
     * The version of the latest migration under {@code sql/state}: raise it with every new migration (a
     * test compares it with the files).
     */
    public static final String LATEST_VERSION = "80";

    private StateSchema() {
    }

    /** Runs {@code flyway.migrate()} unless the store is known to be current. */
    public static void migrateUnlessCurrent(Flyway flyway) {
        if (!isCurrent(flyway.getConfiguration().getDataSource(), flyway.getConfiguration().getTable())) {
            flyway.migrate();
        }
    }

    /** Whether the history table records {@link #LATEST_VERSION} as applied and no failed migration. */
    static boolean isCurrent(DataSource dataSource, String historyTable) {
        String sql = "SELECT COUNT(CASE WHEN \"version\" = ? AND \"success\" THEN 1 END), "
                + "COUNT(CASE WHEN NOT \"success\" THEN 1 END) FROM \"" + historyTable.replace("\"", "") + "\"";
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
            st.setString(1, LATEST_VERSION);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() && rs.getLong(1) == 1 && rs.getLong(2) == 0;
            }
        } catch (SQLException e) {
            return false; // no history table yet, or a store Flyway must look at: let it
        }
    }
}
