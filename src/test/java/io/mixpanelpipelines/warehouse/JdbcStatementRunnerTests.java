package io.mixpanelpipelines.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The statement runner of the Snowflake and Redshift loaders, on a real (H2) database. */
class JdbcStatementRunnerTests {

    private JdbcDataSource dataSource;

    @BeforeEach
    void setUp() {
        dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:runner-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        JdbcStatementRunner.run(dataSource, List.of("CREATE TABLE t (id INT PRIMARY KEY)", "INSERT INTO t VALUES (1)"),
                true, (c, s) -> 0, "prepare failed");
    }

    @Test
    void aTransactionCommitsAndReturnsWhatIsReadAfterTheStatements() throws SQLException {
        long rows = JdbcStatementRunner.run(dataSource, List.of("INSERT INTO t VALUES (2)", "INSERT INTO t VALUES (3)"),
                false, (c, s) -> count(s), "load failed");

        assertThat(rows).isEqualTo(3);
        assertThat(countFromAnotherConnection()).isEqualTo(3);
    }

    @Test
    void aFailedStatementRollsBackTheWholeTransactionAndNamesTheFailure() throws SQLException {
        assertThatThrownBy(() -> JdbcStatementRunner.run(dataSource,
                List.of("DELETE FROM t", "INSERT INTO t VALUES (2)", "INSERT INTO t VALUES (2)"), false, (c, s) -> count(s),
                "warehouse statement failed loading people"))
                .isInstanceOf(WarehouseLoadException.class)
                .hasMessageStartingWith("warehouse statement failed loading people: ")
                .hasCauseInstanceOf(SQLException.class);

        assertThat(countFromAnotherConnection()).isEqualTo(1);
    }

    @Test
    void aFailedCheckRollsBackTooAndGoesOnUnwrapped() throws SQLException {
        WarehouseLoadException mismatch = new WarehouseLoadException("the warehouse holds 2 rows, the manifest says 5");

        assertThatThrownBy(() -> JdbcStatementRunner.run(dataSource, List.of("INSERT INTO t VALUES (2)"), false,
                (c, s) -> {
                    throw mismatch;
                }, "load failed")).isSameAs(mismatch);

        assertThat(countFromAnotherConnection()).isEqualTo(1);
    }

    private static long count(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM t")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private long countFromAnotherConnection() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            return count(s);
        }
    }
}
