package io.mixpanelpipelines.state;

import io.mixpanelpipelines.source.Sleeper;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;
import org.slf4j.LoggerFactory;

/**
 * Rides out a state database that blinks (a restart, a failover, connections cut): retries an action that
 * failed for a transient connection error, with backoff (0.5 s doubling to 10 s), for up to
 * {@code retryFor} after the first failure, then throws {@link StateStoreUnavailableException} naming the
 * store (its URL without credentials). What counts as transient: anything in the cause chain that is an
 * {@link SQLTransientException}, an {@link SQLRecoverableException}, an {@link SQLException} of SQLState
 * class 08 (connection exception) or 57P0x (the server shutting down), which is what PostgreSQL's driver
 * and HikariCP raise for a refused, closed or broken connection; Spring's translations of those
 * ({@link DataAccessResourceFailureException}, {@link TransientDataAccessException},
 * {@link CannotCreateTransactionException}); and a failed rollback whose transaction failed for one of
 * them. Any other failure is thrown at once. Thread-safe; time is real time (an
 * outage is), waits go through the {@link Sleeper}.
 */
public final class StateStoreRetry {

    private static final Logger log = LoggerFactory.getLogger(StateStoreRetry.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    private final String store;
    private final Duration retryFor;
    private final Sleeper sleeper;
    private final LongSupplier nanoTime;

    /** @param store the state database for people ({@code config.StateStoreLocation.describe}) */
    public StateStoreRetry(String store, Duration retryFor, Sleeper sleeper) {
        this(store, retryFor, sleeper, System::nanoTime);
    }

    StateStoreRetry(String store, Duration retryFor, Sleeper sleeper, LongSupplier nanoTime) {
        this.store = store;
        this.retryFor = retryFor;
        this.sleeper = sleeper;
        this.nanoTime = nanoTime;
    }

    /** How long an outage is ridden out ({@code pipelines.state.retry-for}). */
    public Duration retryFor() {
        return retryFor;
    }

    /** The state database, for people. */
    public String store() {
        return store;
    }

    /** Whether {@code t} or one of its causes is a transient connection failure (see the class comment). */
    public static boolean isTransient(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof StateStoreUnavailableException) {
                return false; // the verdict of a retry that already waited: not to be waited for again
            }
            if (c instanceof SQLTransientException || c instanceof SQLRecoverableException
                    // Spring's names for the same: a resource failure (08, 53, 57 such as 57P01 admin shutdown)
                    || c instanceof DataAccessResourceFailureException || c instanceof TransientDataAccessException
                    || c instanceof CannotCreateTransactionException) {
                return true;
            }
            if (c instanceof SQLException s && s.getSQLState() != null
                    && (s.getSQLState().startsWith("08") || s.getSQLState().startsWith("57P0"))) {
                return true;
            }
            // a rollback on a dead connection fails too, hiding the statement's own failure
            if (c instanceof TransactionSystemException tse && tse.getApplicationException() != null
                    && isTransient(tse.getApplicationException())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs {@code action}, again after each transient failure until {@link #retryFor} has passed since the
     * first one.
     *
     * @param what what the action does, for the log and the final error
     * @throws StateStoreUnavailableException when the store stayed unreachable for {@link #retryFor}
     */
    public <T> T call(String what, Supplier<T> action) {
        long firstFailure = 0;
        for (int attempt = 0; ; attempt++) {
            try {
                return action.get();
            } catch (RuntimeException e) {
                if (!isTransient(e)) {
                    throw e;
                }
                long now = nanoTime.getAsLong();
                if (firstFailure == 0) {
                    firstFailure = now;
                }
                Duration down = Duration.ofNanos(now - firstFailure);
                if (down.compareTo(retryFor) >= 0) {
                    throw unavailable(what, e);
                }
                Duration backoff = backoff(attempt);
                log.warn("the state database {} failed while {} ({}); retrying in {} ms (for up to {} s)", store, what,
                        message(e), backoff.toMillis(), retryFor.toSeconds());
                pause(backoff, what, e);
            }
        }
    }

    /**
     * Waits before the {@code attempt}th restart (counted from 0) of work that the store failed although it
     * answered in between: {@link #backoff} of it, so that a store failing fast again and again (a flapping
     * failover, a broken pooled connection) gets time to settle instead of a loop of restarts within a second.
     *
     * @throws StateStoreUnavailableException when interrupted
     */
    public void pauseBeforeRestart(int attempt, String what, Throwable cause) {
        pause(backoff(attempt), what, cause);
    }

    /** The wait before the {@code attempt}th retry or restart (from 0): 0.5 s doubling, at most 10 s. */
    public static Duration backoff(int attempt) {
        Duration d = FIRST_BACKOFF;
        for (int i = 0; i < attempt && d.compareTo(MAX_BACKOFF) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }

    /** Like {@link #call(String, Supplier)} without a result. */
    public void run(String what, Runnable action) {
        call(what, () -> {
            action.run();
            return null;
        });
    }

    /** The error of an outage that outlasted {@link #retryFor}. */
    public StateStoreUnavailableException unavailable(String what, Throwable cause) {
        return new StateStoreUnavailableException("the state database " + store + " was unreachable for "
                + retryFor.toSeconds() + " s (pipelines.state.retry-for) while " + what + ": " + message(cause), cause);
    }

    private void pause(Duration d, String what, Throwable cause) {
        try {
            sleeper.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(what + " (interrupted)", cause);
        }
    }

    /** The innermost message: the driver's, not its wrappers'. */
    public static String message(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }
}
