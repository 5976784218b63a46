package io.mixpanelpipelines.state;

import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The state of every day partition of every job, kept in the state database. Planning reads it, workers
 * write it. Implementations are thread-safe.
 */
public interface PartitionLedger {

    Optional<PartitionRecord> find(String jobName, LocalDate day);

    /** All days of a job, oldest first. */
    List<PartitionRecord> list(String jobName);

    /** Records that a worker started on a day: state RUNNING, attempts + 1. */
    void started(String jobName, LocalDate day, String runId);

    /** Records a published day with its figures; clears the last error. */
    void published(String jobName, LocalDate day, String runId, long rows, int files, long bytes, long rejectedLines,
            long sourceBytes, String contentHash);

    /** Records a re-fetched day found unchanged: it stays as published, only its state and time are refreshed. */
    void unchanged(String jobName, LocalDate day, String runId);

    /** Records days not fetched for lack of budget, with the reason. */
    void deferred(String jobName, Collection<LocalDate> days, String runId, String reason);

    /** Records a failed attempt with its reason (shortened to fit); a published day keeps its files. */
    void failed(String jobName, LocalDate day, String runId, String error);

    /** Marks days for an operator's rerun (creating rows for days never exported). */
    void requestRerun(String jobName, Collection<LocalDate> days);
}
