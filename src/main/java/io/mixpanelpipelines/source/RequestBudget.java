package io.mixpanelpipelines.source;

import java.time.Instant;

/**
 * A Mixpanel project's export allowance, shared by every job, run and process that uses the same state
 * database. {@link #beforeSend} reserves and records a request atomically (whatever its outcome later,
 * a 429 included, it counts), waiting at most about a second for the per-second limit, and throws
 * {@link RequestBudgetExhaustedException} when the hour's budget is spent. Implementations are thread-safe.
 */
public interface RequestBudget extends RequestRecorder {

    /** The budget as it stands now. */
    Status status();

    /**
     * When the next request fits once {@code reserving} more have been sent now (those a run is about to
     * send): the oldest request of the sliding hour, counting them, plus one hour when the hour is full;
     * else the end of the per-second limit's second when that second is full; else now.
     */
    Instant nextSlotAt(int reserving);

    /** Requests recorded by the run this budget was opened for (retries included), for its summary. */
    int countForRun();

    /**
     * Requests recorded for this budget's job since {@code since}, by every process: a run's summary with remote
     * workers, which record their requests under their own run ids (one run of a job at a time: its lock).
     */
    int countForJobSince(Instant since);

    /**
     * @param usedLastHour requests sent in the sliding hour, by every process
     * @param perHour the configured budget per hour
     * @param nextSlotAt when the next request fits in the hour (now when {@code remaining > 0})
     */
    record Status(int usedLastHour, int perHour, Instant nextSlotAt) {

        public int remaining() {
            return Math.max(0, perHour - usedLastHour);
        }
    }
}
