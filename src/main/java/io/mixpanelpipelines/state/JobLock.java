package io.mixpanelpipelines.state;

import java.time.Duration;
import java.time.Instant;

/**
 * One run per job at a time, across processes and hosts that share the state store. A run that changes a
 * job's state ({@code export}, {@code rerun}, {@code load}, a scheduled run) holds the job's lock from
 * before it reads that state until it ends. The lock is a lease kept alive by a heartbeat while its holder
 * lives: a holder killed without a chance to release it stops renewing, and the lock is free again once its
 * lease has run out, or at once for a run on the holder's host that sees the holder's process is gone (its
 * pid no longer running, or reused by a process that started at another instant). Implementations are
 * thread-safe.
 */
public interface JobLock {

    /**
     * Takes the job's lock: at once when it is free, its lease has run out or its holder's process on this host
     * is gone, else by polling until it is or
     * {@code wait} has passed ({@link Duration#ZERO}: no waiting).
     *
     * @throws JobLockedException when another holder still has it after {@code wait}
     */
    Held acquire(String jobName, Duration wait) throws InterruptedException;

    /** Whether this process holds the job's lock now (through this instance). */
    boolean isHeld(String jobName);

    /** How long a lease lasts without a renewal: how long a dead holder can block the next run. */
    Duration lease();

    /** Who holds a lock and since when. */
    record Holder(String host, long pid, Instant since, Instant leaseUntil) {

        /** {@code host H, pid P, since T}: for the one line a refused command prints. */
        public String describe() {
            return "host " + host + ", pid " + pid + ", since " + since;
        }
    }

    /** A lock held by this process; closing it releases the lock (idempotent). */
    interface Held extends AutoCloseable {

        /**
         * Whether the lease was lost: the heartbeat could not renew it before another run took the lock over
         * (the state store was out of reach longer than the lease).
         */
        boolean lost();

        @Override
        void close();
    }
}
