package io.mixpanelpipelines.people;

import io.mixpanelpipelines.source.EngageClient;
import io.mixpanelpipelines.source.EngagePage;
import io.mixpanelpipelines.source.EngageQuery;
import io.mixpanelpipelines.source.EngageSessionExpiredException;
import io.mixpanelpipelines.source.MixpanelUnavailableException;
import io.mixpanelpipelines.state.PeopleLedger;
import io.mixpanelpipelines.state.PeopleQueryRecord;
import io.mixpanelpipelines.state.PeopleSnapshotRecord;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the pending queries of one snapshot, page after page: each page is spooled, then checkpointed in
 * the ledger (pages, rows, total and session), so that a rerun continues at the next page in the same
 * session and never reads a page it has. An expired session restarts only its own query from page 0 (its
 * spooled pages are dropped). Page 0 of a range matching more than {@code maxPagesPerQuery} pages splits
 * the range instead of reading it ({@link LastSeenRanges}; the profiles without {@code $last_seen} by
 * {@link DistinctIdRanges}). Stops by exception when the Query budget is
 * spent ({@link io.mixpanelpipelines.source.RequestBudgetExhaustedException}) or Mixpanel fails for good;
 * whatever was checkpointed stays. A stop asked for ({@code stopRequested}, e.g. SIGTERM) is honoured between
 * pages: the page in flight is read, spooled and checkpointed, then {@link Stopped} is thrown and no other
 * request is sent. Not thread-safe: one per snapshot run.
 */
final class SnapshotReader {

    private static final Logger log = LoggerFactory.getLogger(SnapshotReader.class);
    /** Session expiries in a row for one query before the run gives up on it (the next run tries again). */
    private static final int MAX_RESTARTS = 3;

    private final PeopleLedger ledger;
    private final EngageClient client;
    private final PageSpool spool;
    private final PeopleSnapshotRecord snapshot;
    private final EngageQuery template;
    private final int maxPagesPerQuery;
    private final Clock clock;
    private final BooleanSupplier stopRequested;
    private int pagesRead;
    private long profilesRead;

    /** Thrown between two pages when a stop was asked for: everything read is checkpointed. */
    static final class Stopped extends RuntimeException {
        Stopped() {
            super("stopped on request between two pages; the next run continues at the next page", null, false, false);
        }
    }

    /**
     * @param template the snapshot's filters (output properties, cohort, group); its {@code where} is replaced
     * @param stopRequested asked before every request: true stops the reading at once ({@link Stopped})
     */
    SnapshotReader(PeopleLedger ledger, EngageClient client, PageSpool spool, PeopleSnapshotRecord snapshot,
            EngageQuery template, int maxPagesPerQuery, Clock clock, BooleanSupplier stopRequested) {
        this.ledger = ledger;
        this.client = client;
        this.spool = spool;
        this.snapshot = snapshot;
        this.template = template;
        this.maxPagesPerQuery = maxPagesPerQuery;
        this.clock = clock;
        this.stopRequested = stopRequested;
    }

    /** Reads every pending query to its end; returns when none is left. */
    void readAll() {
        while (true) {
            Optional<PeopleQueryRecord> next = queries().stream()
                    .filter(q -> q.state().equals(PeopleQueryRecord.PENDING)).findFirst();
            if (next.isEmpty()) {
                return;
            }
            read(next.get());
        }
    }

    int pagesRead() {
        return pagesRead;
    }

    long profilesRead() {
        return profilesRead;
    }

    private List<PeopleQueryRecord> queries() {
        return ledger.queries(snapshot.job(), snapshot.dataset(), snapshot.snapshotDate());
    }

    private void read(PeopleQueryRecord q) {
        int page = q.pagesDone();
        long rows = q.rowsDone();
        String session = q.sessionId();
        if (page > 0 && session == null) {
            restart(q.no());
            page = 0;
            rows = 0;
        }
        EngageQuery base = new EngageQuery(snapshot.snapshotDate(), LastSeenRanges.where(q), template.outputProperties(),
                template.filterByCohort(), template.includeAllUsers(), template.dataGroupId(), null, 0);
        int restarts = 0;
        while (true) {
            if (stopRequested.getAsBoolean()) {
                throw new Stopped();
            }
            EngagePage p;
            try {
                p = client.fetch(page == 0 ? base : base.next(session, page));
            } catch (EngageSessionExpiredException e) {
                if (++restarts > MAX_RESTARTS) {
                    throw new MixpanelUnavailableException("the engage session of " + base.label() + " expired "
                            + restarts + " times in a row; the next run continues", e);
                }
                log.warn("{}: the engage session expired at page {}; restarting this query from page 0 ({} pages "
                        + "read again)", snapshot.dataset(), page, page);
                restart(q.no());
                page = 0;
                rows = 0;
                session = null;
                continue;
            }
            pagesRead++;
            long maxRows = (long) maxPagesPerQuery * EngagePage.PAGE_SIZE;
            List<PeopleQueryRecord> parts = page == 0 && p.total() > maxRows ? parts(q, p, maxRows) : List.of();
            if (!parts.isEmpty()) {
                log.info("{}: {} matches {} profiles, more than {} pages: split into {} queries", snapshot.dataset(),
                        base.where(), p.total(), maxPagesPerQuery, parts.size());
                ledger.querySplit(snapshot.job(), snapshot.dataset(), snapshot.snapshotDate(), q.no(), parts);
                spool.discard(q.no());
                return;
            }
            spool.write(q.no(), page, p.body());
            rows += p.profiles().size();
            profilesRead += p.profiles().size();
            session = p.sessionId();
            page++;
            ledger.pageDone(snapshot.job(), snapshot.dataset(), snapshot.snapshotDate(), q.no(), page, rows, p.total(), session);
            if (p.isLast(EngagePage.PAGE_SIZE) || (p.total() >= 0 && rows >= p.total())) {
                ledger.queryDone(snapshot.job(), snapshot.dataset(), snapshot.snapshotDate(), q.no());
                return;
            }
        }
    }

    /** The parts to read instead of {@code q}, cut from page 0's sample; empty when it cannot be cut. */
    private List<PeopleQueryRecord> parts(PeopleQueryRecord q, EngagePage page0, long maxRows) {
        if (q.unset()) {
            List<String> ids = page0.profiles().stream().map(EngagePage.Profile::distinctId).toList();
            return DistinctIdRanges.split(q, page0.total(), ids, maxRows);
        }
        if (!LastSeenRanges.splittable(q, clock.instant())) {
            return List.of();
        }
        List<String> sample = page0.profiles().stream().map(EngagePage.Profile::lastSeen).toList();
        return LastSeenRanges.split(q, page0.total(), sample, maxRows, clock.instant());
    }

    private void restart(int queryNo) {
        ledger.queryRestarted(snapshot.job(), snapshot.dataset(), snapshot.snapshotDate(), queryNo);
        spool.discard(queryNo);
    }
}
