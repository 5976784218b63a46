package io.mixpanelpipelines.state;

import java.time.Duration;
import java.util.List;

/**
 * The remote workers ({@code export.workers: remote}) that share a state store, and which of them runs
 * which partition. A worker registers once, beats while it lives and deregisters when it stops; it claims
 * each partition's step execution as it starts it. The manager asks which running partitions belong to a
 * worker that stopped beating, to give them to another worker. Times are the database's, so hosts with
 * skewed clocks agree. Implementations are thread-safe.
 */
public interface WorkerRegistry {

    /** Registers (or re-registers) a live worker. */
    void register(String workerId);

    /** Renews a worker's heartbeat; registers it again if its row was removed (e.g. taken for dead). */
    void beat(String workerId);

    /** Removes a worker that stops cleanly (its claims are kept as history). */
    void deregister(String workerId);

    /** Records that {@code workerId} runs the partition step execution {@code stepExecutionId}. */
    void claim(long stepExecutionId, String workerId, String partitionName);

    /**
     * The step executions of {@code jobExecutionId} whose status is still running and whose claiming worker
     * has not beaten for {@code silence} (or is gone): partitions whose worker died.
     */
    List<Long> abandonedPartitions(long jobExecutionId, Duration silence);

    /** The step executions of {@code jobExecutionId} still running on a worker that beat within {@code silence}. */
    List<Long> livePartitions(long jobExecutionId, Duration silence);

    /** Which worker claimed each step execution of {@code jobExecutionId}: step execution id, partition, worker. */
    List<Claim> claims(long jobExecutionId);

    /** One partition's claim. */
    record Claim(long stepExecutionId, String partitionName, String workerId) {
    }
}
