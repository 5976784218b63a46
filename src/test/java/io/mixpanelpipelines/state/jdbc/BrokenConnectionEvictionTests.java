package io.mixpanelpipelines.state.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.SQLExceptionOverride.Override;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class BrokenConnectionEvictionTests {

    private final BrokenConnectionEviction eviction = new BrokenConnectionEviction();

    @Test
    void h2sBrokenConnectionAndClosedDatabaseAreEvictedWhereverTheyAreInTheChain() {
        assertThat(eviction.adjudicate(new SQLException("Connection is broken: \"session closed\"", "90067", 90067)))
                .isEqualTo(Override.MUST_EVICT);
        assertThat(eviction.adjudicate(new SQLException("Database is already closed", "90098", 90098)))
                .isEqualTo(Override.MUST_EVICT);
        assertThat(eviction.adjudicate(new SQLException("wrapped", "HY000", 0,
                new SQLException("Database is already closed (to disable automatic closing at VM shutdown...)", "90121", 90121))))
                .isEqualTo(Override.MUST_EVICT);
    }

    @Test
    void otherFailuresAreLeftToHikarisOwnRules() {
        assertThat(eviction.adjudicate(new SQLException("duplicate key", "23505", 0))).isEqualTo(Override.CONTINUE_EVICT);
        assertThat(eviction.adjudicate(new SQLException("connection refused", "08001", 0))).isEqualTo(Override.CONTINUE_EVICT);
        // PostgreSQL's codes are 0: a number like H2's in another driver's error code is not taken for it
        assertThat(eviction.adjudicate(new SQLException("some vendor error", "42000", 90098))).isEqualTo(Override.CONTINUE_EVICT);
    }
}
