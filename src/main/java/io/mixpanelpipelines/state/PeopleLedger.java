package io.mixpanelpipelines.state;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/**
 * The people snapshots of every job and their queries, kept in the state database: what a rerun continues
 * from (the next page of each query, in its engage session) and what {@code status} shows. A snapshot is
 * identified by job, dataset ({@code people}, {@code people_changes}, {@code groups/<id>}) and date.
 * Implementations are thread-safe.
 */
public interface PeopleLedger {

    /** The newest snapshot of a dataset that is not published yet, if any. */
    Optional<PeopleSnapshotRecord> inProgress(String job, String dataset);

    /** The newest published snapshot of a dataset, if any. */
    Optional<PeopleSnapshotRecord> lastPublished(String job, String dataset);

    /** Every snapshot of a job, newest first. */
    List<PeopleSnapshotRecord> list(String job);

    /** Starts a snapshot with its first queries (numbered from 0 in list order). */
    void start(String job, String dataset, LocalDate date, String changesSince, Instant startedAt, String runId,
            List<PeopleQueryRecord> queries);

    /** The queries of a snapshot, by number. */
    List<PeopleQueryRecord> queries(String job, String dataset, LocalDate date);

    /** Checkpoints a query after a page was spooled: its pages, rows, total and session so far. */
    void pageDone(String job, String dataset, LocalDate date, int queryNo, int pagesDone, long rowsDone, long total,
            String sessionId);

    /** A query read its last page. */
    void queryDone(String job, String dataset, LocalDate date, int queryNo);

    /** A query restarts from page 0 (its session expired): its pages are discarded. */
    void queryRestarted(String job, String dataset, LocalDate date, int queryNo);

    /** A query matched too many profiles: it is replaced by {@code parts}, numbered after the last query. */
    void querySplit(String job, String dataset, LocalDate date, int queryNo, List<PeopleQueryRecord> parts);

    /** The snapshot is published (its {@code _SUCCESS} is written). */
    void published(String job, String dataset, LocalDate date, String runId, long rows, int files, long bytes);
}
