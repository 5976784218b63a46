package io.mixpanelpipelines.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.transaction.TransactionSystemException;

/** Which failures are the state database blinking, and how long they are ridden out (time moved by the test). */
class StateStoreRetryTests {

    final AtomicLong nanos = new AtomicLong();
    final List<Duration> slept = new ArrayList<>();
    final StateStoreRetry retry = new StateStoreRetry("jdbc:postgresql://db:5432/state", Duration.ofSeconds(30), d -> {
        slept.add(d);
        nanos.addAndGet(d.toNanos());
    }, nanos::get);

    static RuntimeException closed() {
        return new DataAccessResourceFailureException("update failed", new SQLException("I/O error", "08006"));
    }

    @Test
    void connectionFailuresAreTransientOthersAreNot() {
        assertThat(StateStoreRetry.isTransient(closed())).isTrue();
        assertThat(StateStoreRetry.isTransient(new IllegalStateException(new SQLTransientConnectionException("timeout")))).isTrue();
        assertThat(StateStoreRetry.isTransient(new SQLException("terminating connection", "57P01"))).as("admin shutdown").isTrue();
        TransactionSystemException rollback = new TransactionSystemException("JDBC rollback failed", new SQLException("Connection is closed"));
        assertThat(StateStoreRetry.isTransient(rollback)).as("a failed rollback alone").isFalse();
        rollback.initApplicationException(closed());
        assertThat(StateStoreRetry.isTransient(rollback)).as("hiding a connection failure").isTrue();
        assertThat(StateStoreRetry.isTransient(new DuplicateKeyException("dup"))).isFalse();
        assertThat(StateStoreRetry.isTransient(new SQLException("syntax", "42601"))).isFalse();
        assertThat(StateStoreRetry.isTransient(retry.unavailable("x", closed()))).as("a verdict is final").isFalse();
    }

    @Test
    void retriesWithBackoffUntilTheStoreAnswers() {
        AtomicInteger calls = new AtomicInteger();

        String result = retry.call("reading", () -> {
            if (calls.incrementAndGet() < 5) {
                throw closed();
            }
            return "ok";
        });

        assertThat(result).isEqualTo("ok");
        assertThat(slept).containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofSeconds(4));
    }

    @Test
    void restartsWaitTheSameBackoffAndAnInterruptedWaitEndsTheRun() {
        for (int attempt = 0; attempt < 7; attempt++) {
            retry.pauseBeforeRestart(attempt, "waiting to restart the run", closed());
        }

        assertThat(slept).containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofSeconds(4), Duration.ofSeconds(8), Duration.ofSeconds(10), Duration.ofSeconds(10));
        StateStoreRetry interrupted = new StateStoreRetry("jdbc:h2:file:/state", Duration.ofSeconds(30), d -> {
            throw new InterruptedException();
        });
        assertThatThrownBy(() -> interrupted.pauseBeforeRestart(0, "waiting to restart the run", closed()))
                .isInstanceOf(StateStoreUnavailableException.class)
                .hasMessageContaining("while waiting to restart the run (interrupted): I/O error");
        assertThat(Thread.interrupted()).as("the interrupt is kept").isTrue();
    }

    @Test
    void givesUpAfterRetryForNamingTheStore() {
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> retry.call("recording a day", () -> {
            calls.incrementAndGet();
            throw closed();
        })).isInstanceOf(StateStoreUnavailableException.class)
                .hasMessage("the state database jdbc:postgresql://db:5432/state was unreachable for 30 s "
                        + "(pipelines.state.retry-for) while recording a day: I/O error");
        assertThat(slept.stream().mapToLong(Duration::toMillis).sum()).isBetween(30_000L, 40_000L);
        assertThat(slept).allMatch(d -> d.compareTo(Duration.ofSeconds(10)) <= 0);
    }

    @Test
    void otherFailuresAreThrownAtOnce() {
        assertThatThrownBy(() -> retry.call("x", () -> {
            throw new DuplicateKeyException("dup");
        })).isInstanceOf(DuplicateKeyException.class);
        assertThat(slept).isEmpty();
    }
}
