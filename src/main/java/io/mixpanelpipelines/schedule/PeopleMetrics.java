package io.mixpanelpipelines.schedule;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.people.PeopleRunSummary;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Micrometer meters of a job's people datasets, tagged {@code job} and {@code project} like
 * {@link ExportMetrics}'s: {@code mixpanel.pipelines.people.pages.read} and
 * {@code mixpanel.pipelines.people.profiles.read} (by {@code dataset}), {@code mixpanel.pipelines.people.requests.sent}
 * (Query API requests, retries included), {@code mixpanel.pipelines.people.snapshots} (runs of a dataset by
 * {@code outcome}: published, up_to_date, deferred, stopped, failed) and {@code mixpanel.pipelines.people.budget.remaining}
 * (Query requests left in the project's sliding hour at the end of the last run; NaN before one). Meters of a
 * dataset appear with its first run. Thread-safe.
 */
public final class PeopleMetrics {

    private final MeterRegistry registry;
    private final Tags tags;
    private final Counter requests;
    private final AtomicLong budgetRemaining = new AtomicLong(-1);

    public PeopleMetrics(MeterRegistry registry, JobDefinition job) {
        this.registry = registry;
        this.tags = Tags.of("job", job.name(), "project", job.mixpanel().projectId());
        this.requests = Counter.builder("mixpanel.pipelines.people.requests.sent")
                .description("Query API (engage) requests sent for the people datasets, retries included").tags(tags)
                .register(registry);
        Gauge.builder("mixpanel.pipelines.people.budget.remaining", budgetRemaining, n -> n.get() < 0 ? Double.NaN : n.get())
                .description("Query API requests left in the project's sliding hour").tags(tags).register(registry);
    }

    /** Records what one run did to the people datasets. */
    public void record(PeopleRunSummary summary) {
        requests.increment(summary.requests());
        for (PeopleRunSummary.Dataset d : summary.datasets()) {
            Tags t = tags.and("dataset", d.dataset());
            Counter.builder("mixpanel.pipelines.people.pages.read").description("engage pages read").tags(t)
                    .register(registry).increment(d.pages());
            Counter.builder("mixpanel.pipelines.people.profiles.read").description("profiles in the engage pages read")
                    .tags(t).register(registry).increment(d.profiles());
            Counter.builder("mixpanel.pipelines.people.snapshots").description("people dataset runs by outcome")
                    .tags(t.and("outcome", d.state().toLowerCase(Locale.ROOT))).register(registry).increment();
        }
        if (summary.budget() != null) {
            budgetRemaining.set(summary.budget().remaining());
        }
    }
}
