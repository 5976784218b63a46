package io.mixpanelpipelines.job;

import java.time.LocalDate;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How each day of one run ended when it did not publish: {@link DayStepListener#FATAL},
 * {@link DayStepListener#DEFERRED} or {@code FAILED}, for the run's summary and exit code. The ledger holds
 * the durable state; this lives as long as the run. Thread-safe: the day steps and the window fetches
 * record their outcomes concurrently.
 */
public final class RunOutcomes {

    private final Map<LocalDate, String> codes = new ConcurrentHashMap<>();
    /** Days whose step failed for a transient state database error: {@link OutageRestarts} may restart them. */
    private final Set<LocalDate> stateStoreFailures = ConcurrentHashMap.newKeySet();

    public void put(LocalDate day, String code) {
        codes.put(day, code);
    }

    /** The day's outcome code, or null when it published (or has not ended). */
    public String get(LocalDate day) {
        return codes.get(day);
    }

    public boolean containsKey(LocalDate day) {
        return codes.containsKey(day);
    }

    /** Forgets a day's outcome before it is attempted again in the same run. */
    public void remove(LocalDate day) {
        codes.remove(day);
        stateStoreFailures.remove(day);
    }

    /** The day's step failed because the state database was out of reach (see {@link OutageRestarts}). */
    public void stateStoreFailed(LocalDate day) {
        stateStoreFailures.add(day);
    }

    /** Whether the day's last failure in this run was the state database's. */
    public boolean isStateStoreFailure(LocalDate day) {
        return stateStoreFailures.contains(day);
    }
}
