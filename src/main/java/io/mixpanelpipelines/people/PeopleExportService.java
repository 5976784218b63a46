package io.mixpanelpipelines.people;

import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.config.PeopleMode;
import io.mixpanelpipelines.convert.parquet.ParquetWriterOptions;
import io.mixpanelpipelines.dataset.PeopleLayout;
import io.mixpanelpipelines.source.EngageClient;
import io.mixpanelpipelines.source.EngageQuery;
import io.mixpanelpipelines.source.MixpanelAuthenticationException;
import io.mixpanelpipelines.source.MixpanelException;
import io.mixpanelpipelines.source.MixpanelRateLimitedException;
import io.mixpanelpipelines.source.RequestBudget;
import io.mixpanelpipelines.source.RequestBudgetExhaustedException;
import io.mixpanelpipelines.state.PeopleLedger;
import io.mixpanelpipelines.state.PeopleQueryRecord;
import io.mixpanelpipelines.state.PeopleSnapshotRecord;
import io.mixpanelpipelines.storage.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a job's people datasets: the user profiles (a full snapshot, or in changes mode the profiles whose
 * {@code $last_seen} moved since the previous snapshot, with a full one every {@code people.fullEvery}), then
 * each group type of {@code people.groups}. At most one snapshot per dataset and day (the day it started, in
 * the project's timezone): a snapshot not finished in one run is continued by the next ones, whatever the
 * date then, and published only when every query is read. The Query API budget is the only brake: when it
 * is spent the run stops reading, keeps everything checkpointed and says when the next request fits
 * (exit 75). Runs under the job lock of the command; not thread-safe.
 */
public final class PeopleExportService {

    private static final Logger log = LoggerFactory.getLogger(PeopleExportService.class);

    private final JobDefinition job;
    private final PeopleLedger ledger;
    private final EngageClient client;
    private final RequestBudget budget;
    private final Storage storage;
    private final PeopleLayout layout;
    private final ParquetWriterOptions parquet;
    private final String runId;
    private final Clock clock;

    public PeopleExportService(JobDefinition job, PeopleLedger ledger, EngageClient client, RequestBudget budget,
            Storage storage, ParquetWriterOptions parquet, String runId, Clock clock) {
        this.job = job;
        this.ledger = ledger;
        this.client = client;
        this.budget = budget;
        this.storage = storage;
        this.layout = new PeopleLayout(job.destination().uri(), job.mixpanel().projectId());
        this.parquet = parquet;
        this.runId = runId;
        this.clock = clock;
    }

    /** Whether the job has a {@code people} section at all. */
    public boolean enabled() {
        return job.people() != null;
    }

    /** Reads and publishes what is due; never throws for Mixpanel's or the budget's reasons (see the summary). */
    public PeopleRunSummary run() {
        return run(() -> false);
    }

    /**
     * As {@link #run()}, stopping between two pages once {@code stopRequested} answers true (SIGINT/SIGTERM):
     * the page in flight is spooled and checkpointed, the dataset is {@link PeopleRunSummary#STOPPED} and the
     * others are not started; the next run continues at the next page.
     */
    public PeopleRunSummary run(BooleanSupplier stopRequested) {
        JobDefinition.People people = job.people();
        LocalDate today = LocalDate.now(clock.withZone(job.mixpanel().timezone()));
        List<PeopleRunSummary.Dataset> results = new ArrayList<>();
        int exit = 0;
        List<String> datasets = new ArrayList<>();
        datasets.add(userDataset(people, today));
        people.groups().forEach(g -> datasets.add(PeopleLayout.group(g)));
        for (String dataset : datasets) {
            if (exit == 75 || exit == 1 || stopRequested.getAsBoolean()) {
                // the budget is spent (or the credentials refused, or a stop asked for): the others would only say so again
                String state = stopRequested.getAsBoolean() ? PeopleRunSummary.STOPPED
                        : exit == 75 ? PeopleRunSummary.DEFERRED : PeopleRunSummary.FAILED;
                String why = results.isEmpty() ? "a stop was asked for" : results.get(results.size() - 1).message();
                results.add(new PeopleRunSummary.Dataset(dataset, null, state, 0, 0, 0, 0, "not started: " + why,
                        results.isEmpty() ? null : results.get(results.size() - 1).nextSlotAt()));
                continue;
            }
            PeopleRunSummary.Dataset d = runOne(dataset, today, stopRequested);
            results.add(d);
            if (d.state().equals(PeopleRunSummary.DEFERRED)) {
                exit = 75;
            } else if (d.state().equals(PeopleRunSummary.FAILED)) {
                exit = 1;
            }
        }
        return new PeopleRunSummary(results, budget.countForRun(), exit, budget.status());
    }

    /** {@code people}, or in changes mode {@code people_changes} while the last full snapshot is recent enough. */
    private String userDataset(JobDefinition.People people, LocalDate today) {
        if (people.mode() != PeopleMode.CHANGES || ledger.inProgress(job.name(), PeopleLayout.PEOPLE).isPresent()) {
            return PeopleLayout.PEOPLE;
        }
        Optional<PeopleSnapshotRecord> full = ledger.lastPublished(job.name(), PeopleLayout.PEOPLE);
        long fullEveryDays = Math.max(1, people.fullEvery().toDays());
        if (full.isEmpty() || !full.get().snapshotDate().plusDays(fullEveryDays).isAfter(today)) {
            return PeopleLayout.PEOPLE;
        }
        return PeopleLayout.CHANGES;
    }

    private PeopleRunSummary.Dataset runOne(String dataset, LocalDate today, BooleanSupplier stopRequested) {
        PeopleSnapshotRecord snapshot = ledger.inProgress(job.name(), dataset).orElse(null);
        if (snapshot == null) {
            Optional<PeopleSnapshotRecord> newest = newestPublished(dataset);
            if (newest.isPresent() && !newest.get().snapshotDate().isBefore(today)) {
                return new PeopleRunSummary.Dataset(dataset, newest.get().snapshotDate(), PeopleRunSummary.UP_TO_DATE, 0, 0,
                        newest.get().rows(), newest.get().files(), "the snapshot of " + newest.get().snapshotDate()
                        + " is published; the next one is read on a later day", null);
            }
            String since = dataset.equals(PeopleLayout.CHANGES) ? LastSeenRanges.text(newest.orElseThrow().startedAt()) : null;
            ledger.start(job.name(), dataset, today, since, clock.instant(), runId,
                    since == null ? LastSeenRanges.full() : LastSeenRanges.changes(since));
            snapshot = ledger.inProgress(job.name(), dataset).orElseThrow();
        }
        PageSpool spool = new PageSpool(job.export().spoolDir(), job.name(), dataset, snapshot.snapshotDate());
        // a query must also fit in one hour's budget: its session may not outlive the wait for the next run
        int pagesPerQuery = Math.max(1, Math.min(job.people().maxPagesPerQuery(), job.people().requestsPerHour() - 1));
        SnapshotReader reader = new SnapshotReader(ledger, client, spool, snapshot, template(dataset, snapshot.snapshotDate()),
                pagesPerQuery, clock, stopRequested);
        try {
            reader.readAll();
            List<PeopleQueryRecord> queries = ledger.queries(job.name(), dataset, snapshot.snapshotDate());
            SnapshotPublisher.Published p = new SnapshotPublisher(storage, layout, parquet, job.export().partSizeBytes())
                    .publish(snapshot, queries, spool);
            ledger.published(job.name(), dataset, snapshot.snapshotDate(), runId, p.rows(), p.files(), p.bytes());
            spool.discardAll();
            log.info("{} snapshot {} published: {} profiles in {} files", dataset, snapshot.snapshotDate(), p.rows(), p.files());
            String note = p.duplicates() == 0 ? null : p.duplicates() + " older occurrence(s) of profiles seen again while "
                    + "the snapshot was read were left out (each profile is kept once, as last read)";
            return new PeopleRunSummary.Dataset(dataset, snapshot.snapshotDate(), PeopleRunSummary.PUBLISHED, reader.pagesRead(),
                    reader.profilesRead(), p.rows(), p.files(), note, null);
        } catch (SnapshotReader.Stopped e) {
            log.warn("{} snapshot {} stopped on request after {} pages; the next run continues at the next page", dataset,
                    snapshot.snapshotDate(), reader.pagesRead());
            return new PeopleRunSummary.Dataset(dataset, snapshot.snapshotDate(), PeopleRunSummary.STOPPED, reader.pagesRead(),
                    reader.profilesRead(), 0, 0, e.getMessage(), null);
        } catch (RequestBudgetExhaustedException e) {
            return deferred(dataset, snapshot, reader, e.getMessage(), e.nextSlotAt());
        } catch (MixpanelException e) {
            if (e.isRetryableLater() && !(e instanceof MixpanelAuthenticationException)) {
                return deferred(dataset, snapshot, reader, e.getMessage(), retryAt(e));
            }
            return failed(dataset, snapshot, reader, e.getMessage());
        } catch (IOException | UncheckedIOException e) {
            return failed(dataset, snapshot, reader, "cannot write the snapshot: " + e.getMessage());
        }
    }

    /**
     * When a run deferred by {@code e} may ask again: a minute after a passing failure; after 429s, not before
     * the last {@code Retry-After} nor the Query budget's next slot (Mixpanel's hourly limit may be lower than the
     * budget, and a retry before either is refused again).
     */
    private java.time.Instant retryAt(MixpanelException e) {
        java.time.Instant now = clock.instant();
        if (!(e instanceof MixpanelRateLimitedException limited)) {
            return now.plus(Duration.ofMinutes(1));
        }
        java.time.Instant after = now.plus(limited.retryAfter() != null ? limited.retryAfter() : Duration.ofMinutes(1));
        java.time.Instant slot = budget.status().nextSlotAt();
        return slot != null && slot.isAfter(after) ? slot : after;
    }

    private Optional<PeopleSnapshotRecord> newestPublished(String dataset) {
        Stream<Optional<PeopleSnapshotRecord>> candidates = dataset.equals(PeopleLayout.PEOPLE) || dataset.equals(PeopleLayout.CHANGES)
                ? Stream.of(ledger.lastPublished(job.name(), PeopleLayout.PEOPLE), ledger.lastPublished(job.name(), PeopleLayout.CHANGES))
                : Stream.of(ledger.lastPublished(job.name(), dataset));
        return candidates.flatMap(Optional::stream).max(Comparator.comparing(PeopleSnapshotRecord::startedAt));
    }

    private EngageQuery template(String dataset, LocalDate date) {
        JobDefinition.People p = job.people();
        String group = dataset.startsWith("groups/") ? dataset.substring("groups/".length()) : null;
        String cohort = group == null && p.filterByCohort() != null ? "{\"id\": " + p.filterByCohort() + "}" : null;
        // $last_seen is always asked for: the last_seen column and the splitting of large ranges read it
        List<String> output = p.outputProperties().isEmpty() || p.outputProperties().contains("$last_seen")
                ? p.outputProperties() : Stream.concat(p.outputProperties().stream(), Stream.of("$last_seen")).toList();
        return new EngageQuery(date, null, output, cohort, cohort == null ? null : p.includeAllUsers(), group, null, 0);
    }

    private PeopleRunSummary.Dataset deferred(String dataset, PeopleSnapshotRecord s, SnapshotReader reader, String why,
            java.time.Instant next) {
        log.warn("{} snapshot {} continues in a later run: {}", dataset, s.snapshotDate(), why);
        return new PeopleRunSummary.Dataset(dataset, s.snapshotDate(), PeopleRunSummary.DEFERRED, reader.pagesRead(),
                reader.profilesRead(), 0, 0, why, next);
    }

    private PeopleRunSummary.Dataset failed(String dataset, PeopleSnapshotRecord s, SnapshotReader reader, String why) {
        log.error("{} snapshot {} failed: {}", dataset, s.snapshotDate(), why);
        return new PeopleRunSummary.Dataset(dataset, s.snapshotDate(), PeopleRunSummary.FAILED, reader.pagesRead(),
                reader.profilesRead(), 0, 0, why, null);
    }

    /** The {@code where} of {@link #checkAccess()}: well-formed, and true of no profile. */
    static final String PROBE_WHERE = "defined(properties[\"$mp_pipelines_check\"]) and not defined(properties[\"$mp_pipelines_check\"])";

    /**
     * For {@code check}: sends exactly one engage request, counted in the Query budget like any other when {@code counted} (page 0
     * of a query whose {@code where} matches no profile, with the job's cohort filter), so that refused
     * credentials, a project without Query API access or an unknown cohort show before a run.
     *
     * @param counted whether the client records its requests in this service's Query budget
     * @return what Mixpanel answered, for the check's line
     * @throws MixpanelException as {@link EngageClient#fetch}, the budget's exhaustion included
     */
    public String checkAccess(boolean counted) {
        EngageQuery t = template(PeopleLayout.PEOPLE, LocalDate.now(clock.withZone(job.mixpanel().timezone())));
        EngageQuery probe = new EngageQuery(t.snapshotDate(), PROBE_WHERE, List.of("$last_seen"), t.filterByCohort(),
                t.includeAllUsers(), null, null, 0);
        client.fetch(probe);
        return "the engage API answered one Query request (" + (counted ? budget.status().remaining()
                + " of the Query budget's hour left)" : "not counted in the Query budget: the state store is not migrated or not reachable)");
    }

    /** Where every people dataset of the job stands, with the Query budget. */
    public PeopleStatus status() {
        List<String> datasets = new ArrayList<>(List.of(PeopleLayout.PEOPLE));
        if (job.people() != null && job.people().mode() == PeopleMode.CHANGES) {
            datasets.add(PeopleLayout.CHANGES);
        }
        if (job.people() != null) {
            job.people().groups().forEach(g -> datasets.add(PeopleLayout.group(g)));
        }
        List<PeopleStatus.Dataset> out = new ArrayList<>();
        for (String dataset : datasets) {
            Optional<PeopleSnapshotRecord> running = ledger.inProgress(job.name(), dataset);
            Optional<PeopleSnapshotRecord> last = ledger.lastPublished(job.name(), dataset);
            int done = 0;
            int total = 0;
            int pages = 0;
            long profiles = 0;
            if (running.isPresent()) {
                for (PeopleQueryRecord q : ledger.queries(job.name(), dataset, running.get().snapshotDate())) {
                    if (!q.state().equals(PeopleQueryRecord.SPLIT)) {
                        total++;
                        done += q.state().equals(PeopleQueryRecord.DONE) ? 1 : 0;
                        pages += q.pagesDone();
                        profiles += q.rowsDone();
                    }
                }
            }
            out.add(new PeopleStatus.Dataset(dataset, running.map(PeopleSnapshotRecord::snapshotDate).orElse(null),
                    running.map(PeopleSnapshotRecord::startedAt).orElse(null), done, total, pages, profiles,
                    last.map(PeopleSnapshotRecord::snapshotDate).orElse(null), last.map(PeopleSnapshotRecord::rows).orElse(0L),
                    last.map(PeopleSnapshotRecord::files).orElse(0), last.map(PeopleSnapshotRecord::publishedAt).orElse(null)));
        }
        return new PeopleStatus(out, budget.status());
    }
}
