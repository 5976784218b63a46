package io.mixpanelpipelines.schedule;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.job.RunSummary;
import io.mixpanelpipelines.people.PeopleRunSummary;
import io.mixpanelpipelines.source.RequestBudget;
import io.mixpanelpipelines.state.PartitionLedger;
import io.mixpanelpipelines.state.PartitionRecord;
import io.mixpanelpipelines.state.PartitionState;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The Micrometer meters of one scheduled job, tagged {@code job} and {@code project}: events and bytes
 * exported, requests spent, budget left, partitions by state (days never exported from the job's first day
 * to yesterday count as {@code missing}), freshness (seconds since the end of the newest published day),
 * run durations by outcome, failures and skipped runs; with a {@code people} section, {@link PeopleMetrics}'s.
 * Thread-safe.
 */
public final class ExportMetrics {

    /** The {@code state} tag values of {@code mixpanel_pipelines_partitions}. */
    public static final List<String> STATES = List.of("published", "failed", "deferred", "running", "rerun_requested", "missing");

    private final MeterRegistry registry;
    private final JobDefinition job;
    private final Tags tags;
    private final Clock clock;
    private final PartitionLedger ledger;
    private final Counter events;
    private final Counter bytes;
    private final Counter requests;
    private final Counter failures;
    private final Map<String, AtomicLong> partitions = new java.util.HashMap<>();
    private final AtomicReference<LocalDate> newestPublished = new AtomicReference<>();
    private final PeopleMetrics people;

    public ExportMetrics(MeterRegistry registry, JobDefinition job, PartitionLedger ledger, Supplier<RequestBudget.Status> budget,
            Clock clock) {
        this.registry = registry;
        this.job = job;
        this.clock = clock;
        this.ledger = ledger;
        this.tags = Tags.of("job", job.name(), "project", job.mixpanel().projectId());
        this.events = Counter.builder("mixpanel.pipelines.events.exported").description("events published by scheduled runs")
                .tags(tags).register(registry);
        this.bytes = Counter.builder("mixpanel.pipelines.bytes.exported").baseUnit("bytes")
                .description("Parquet bytes published by scheduled runs").tags(tags).register(registry);
        this.requests = Counter.builder("mixpanel.pipelines.requests.sent")
                .description("export requests sent to Mixpanel by scheduled runs, retries included").tags(tags).register(registry);
        this.failures = Counter.builder("mixpanel.pipelines.run.failures")
                .description("scheduled runs that ended with failed days or an error").tags(tags).register(registry);
        Gauge.builder("mixpanel.pipelines.budget.remaining", () -> {
            try {
                return budget.get().remaining();
            } catch (RuntimeException e) {
                return Double.NaN;
            }
        }).description("export requests left in the project's sliding hour").tags(tags).register(registry);
        for (String state : STATES) {
            AtomicLong n = new AtomicLong();
            partitions.put(state, n);
            Gauge.builder("mixpanel.pipelines.partitions", n, AtomicLong::get).description("day partitions by state")
                    .tags(tags.and("state", state)).register(registry);
        }
        this.people = job.people() == null ? null : new PeopleMetrics(registry, job);
        Gauge.builder("mixpanel.pipelines.freshness", this::freshnessSeconds).baseUnit("seconds")
                .description("seconds since the end of the newest published day").tags(tags).register(registry);
    }

    /** Records a finished run and refreshes the partition gauges. */
    public void recordRun(RunSummary summary, Duration took) {
        for (RunSummary.Day d : summary.days()) {
            if (PartitionState.PUBLISHED.name().equals(d.state()) && d.error() == null) {
                events.increment(d.rows());
                bytes.increment(d.bytes());
            }
        }
        requests.increment(summary.requests());
        String outcome = switch (summary.exitCode()) {
            case RunSummary.OK -> "ok";
            case RunSummary.DEFERRED -> "deferred";
            case RunSummary.INVALID -> "invalid";
            default -> "failed";
        };
        if (summary.exitCode() == RunSummary.FAILED || summary.exitCode() == RunSummary.INVALID) {
            failures.increment();
        }
        timer(outcome).record(took);
        refresh();
    }

    /** Records the people datasets of a run ({@link PeopleMetrics}); ignored when the job has no people section. */
    public void recordPeople(PeopleRunSummary summary) {
        if (people != null) {
            people.record(summary);
        }
    }

    /** Records a run that threw. */
    public void recordError(Duration took) {
        failures.increment();
        timer("error").record(took);
        refresh();
    }

    /** Records a run not started: another replica held the job's lock. */
    public void recordSkipped() {
        Counter.builder("mixpanel.pipelines.runs.skipped").description("scheduled runs skipped: another replica was running the job")
                .tags(tags).register(registry).increment();
    }

    /** Re-reads the partition ledger for the partition and freshness gauges. */
    public void refresh() {
        try {
            List<PartitionRecord> records = ledger.list(job.name());
            Map<PartitionState, Long> counts = new EnumMap<>(PartitionState.class);
            Set<LocalDate> known = new HashSet<>();
            LocalDate newest = null;
            for (PartitionRecord r : records) {
                counts.merge(r.state(), 1L, Long::sum);
                known.add(r.day());
                if (r.state() == PartitionState.PUBLISHED && (newest == null || r.day().isAfter(newest))) {
                    newest = r.day();
                }
            }
            LocalDate today = LocalDate.now(clock.withZone(job.mixpanel().timezone()));
            long missing = 0;
            for (LocalDate d = job.export().firstDay(today); d.isBefore(today); d = d.plusDays(1)) {
                if (!known.contains(d)) {
                    missing++;
                }
            }
            for (PartitionState s : PartitionState.values()) {
                partitions.get(s.name().toLowerCase(java.util.Locale.ROOT)).set(counts.getOrDefault(s, 0L));
            }
            partitions.get("missing").set(missing);
            newestPublished.set(newest);
        } catch (RuntimeException e) {
            // the gauges keep their last values; the next run refreshes them
            org.slf4j.LoggerFactory.getLogger(ExportMetrics.class).warn("cannot read the partitions of {}: {}", job.name(), e.toString());
        }
    }

    private double freshnessSeconds() {
        LocalDate newest = newestPublished.get();
        if (newest == null) {
            return Double.NaN;
        }
        long end = newest.plusDays(1).atStartOfDay(job.mixpanel().timezone()).toEpochSecond();
        return clock.instant().getEpochSecond() - end;
    }

    private Timer timer(String outcome) {
        return Timer.builder("mixpanel.pipelines.run.duration").description("scheduled run durations by outcome")
                .tags(tags.and("outcome", outcome)).register(registry);
    }
}
