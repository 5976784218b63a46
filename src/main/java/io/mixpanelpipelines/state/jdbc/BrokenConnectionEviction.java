package io.mixpanelpipelines.state.jdbc;

import com.zaxxer.hikari.SQLExceptionOverride;
import java.sql.SQLException;
import java.util.Set;

/**
 * HikariCP's verdict on a connection whose statement failed: besides the failures it knows (SQL states 08...),
 * H2's "connection broken" and "database is already closed" mean the connection will never work again. They
 * come when the process hosting an {@code AUTO_SERVER} H2 file ends and this one takes the file over: a
 * pooled connection still tied to the database it had opened then fails every transaction, and a run that
 * restarts from its checkpoints got the same connection back at each restart (CI saw 5 restarts in 0.5 s,
 * then exit 1). Evicting it makes the next borrower open a new connection, which reaches the new host.
 * Named by {@code spring.datasource.hikari.exception-override-class-name}.
 */
public final class BrokenConnectionEviction implements SQLExceptionOverride {

    /** H2's CONNECTION_BROKEN_1, DATABASE_IS_CLOSED and DATABASE_CALLED_AT_SHUTDOWN. */
    static final Set<Integer> H2_DEAD_CONNECTION = Set.of(90067, 90098, 90121);

    @java.lang.Override
    public Override adjudicate(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException s && H2_DEAD_CONNECTION.contains(s.getErrorCode())
                    && String.valueOf(s.getErrorCode()).equals(s.getSQLState())) {
                return Override.MUST_EVICT;
            }
        }
        return Override.CONTINUE_EVICT;
    }
}
