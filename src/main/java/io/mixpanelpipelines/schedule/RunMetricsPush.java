package io.mixpanelpipelines.schedule;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.registry.otlp.OtlpConfig;
import io.micrometer.registry.otlp.OtlpMeterRegistry;
import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.job.ExportService;
import io.mixpanelpipelines.job.RunSummary;
import io.mixpanelpipelines.people.PeopleRunSummary;
import io.mixpanelpipelines.state.PartitionLedger;
import io.mixpanelpipelines.warehouse.LoadSummary;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.ApplicationContext;

/**
 * Pushes the metrics of one {@code export}, {@code rerun} or {@code load} run, at its end, to an OpenTelemetry
 * (OTLP/HTTP protobuf) endpoint, so that one-shot runs (CronJobs, Airflow tasks) are seen like the
 * {@code schedule} service: the same meters ({@link ExportMetrics}: events, bytes and requests of the run, run
 * duration by outcome, failures, partitions by state, freshness, budget left), plus for a load
 * {@code mixpanel.pipelines.rows.loaded}, {@code mixpanel.pipelines.load.duration} (by outcome) and
 * {@code mixpanel.pipelines.load.failures}; after the people datasets of an export, {@link PeopleMetrics}'s in a
 * push of their own. Counters are the run's own (cumulative from its start).
 *
 * <p>Configured by the OpenTelemetry SDK's standard variables: {@code OTEL_EXPORTER_OTLP_METRICS_ENDPOINT} (the
 * full URL), else {@code OTEL_EXPORTER_OTLP_ENDPOINT} (its base; {@code /v1/metrics} is added);
 * {@code OTEL_EXPORTER_OTLP_HEADERS} ({@code k=v,...}, e.g. an API key: never printed);
 * {@code OTEL_SERVICE_NAME} (default {@code mixpanel-pipelines}) and {@code OTEL_RESOURCE_ATTRIBUTES}. Without
 * an endpoint nothing happens. A push that fails is reported on stderr and never changes the exit code.
 */
public final class RunMetricsPush {

    private final String url;
    private final Map<String, String> headers;
    private final Map<String, String> resource;

    private RunMetricsPush(String url, Map<String, String> headers, Map<String, String> resource) {
        this.url = url;
        this.headers = headers;
        this.resource = resource;
    }

    /** After an export or rerun: its summary. No-op without an endpoint. */
    public static void export(Map<String, String> environment, ApplicationContext ctx, RunSummary summary, Clock clock,
            PrintStream err) {
        RunMetricsPush push = from(environment);
        if (push != null) {
            push.push(ctx, clock, err, "export", (metrics, registry) -> metrics.recordRun(summary, took(ctx)));
        }
    }

    /**
     * After the people datasets of an {@code export}: {@link PeopleMetrics}'s meters only, in a push of their own
     * (the events' meters went with the events' push). No-op without an endpoint.
     */
    public static void people(Map<String, String> environment, ApplicationContext ctx, PeopleRunSummary summary,
            PrintStream err) {
        RunMetricsPush push = from(environment);
        if (push != null) {
            push.push(err, "export", registry -> new PeopleMetrics(registry, ctx.getBean(JobDefinition.class)).record(summary));
        }
    }

    /** After a load: its summary. No-op without an endpoint. */
    public static void load(Map<String, String> environment, ApplicationContext ctx, LoadSummary summary, Clock clock,
            PrintStream err) {
        RunMetricsPush push = from(environment);
        if (push != null) {
            push.push(ctx, clock, err, "load", (metrics, registry) -> {
                metrics.refresh();
                JobDefinition job = ctx.getBean(JobDefinition.class);
                Tags tags = Tags.of("job", job.name(), "project", job.mixpanel().projectId(), "target", summary.target());
                Counter.builder("mixpanel.pipelines.rows.loaded").description("rows loaded into the warehouse").tags(tags)
                        .register(registry).increment(summary.rowsLoaded());
                String outcome = summary.exitCode() == RunSummary.OK ? "ok" : "failed";
                Timer.builder("mixpanel.pipelines.load.duration").description("load run durations by outcome")
                        .tags(tags.and("outcome", outcome)).register(registry).record(took(ctx));
                Counter failures = Counter.builder("mixpanel.pipelines.load.failures").description("load runs that failed")
                        .tags(tags).register(registry);
                if (summary.exitCode() != RunSummary.OK) {
                    failures.increment();
                }
            });
        }
    }

    /** The configuration in {@code environment}, or null when no endpoint is set. */
    static RunMetricsPush from(Map<String, String> environment) {
        String url = blankToNull(environment.get("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"));
        if (url == null) {
            String base = blankToNull(environment.get("OTEL_EXPORTER_OTLP_ENDPOINT"));
            if (base == null) {
                return null;
            }
            url = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/v1/metrics";
        }
        Map<String, String> resource = new LinkedHashMap<>(pairs(environment.get("OTEL_RESOURCE_ATTRIBUTES")));
        String service = blankToNull(environment.get("OTEL_SERVICE_NAME"));
        resource.put("service.name", service != null ? service : resource.getOrDefault("service.name", "mixpanel-pipelines"));
        return new RunMetricsPush(url, pairs(environment.get("OTEL_EXPORTER_OTLP_HEADERS")), resource);
    }

    private void push(ApplicationContext ctx, Clock clock, PrintStream err, String command, BiConsumer<ExportMetrics, MeterRegistry> record) {
        push(err, command, registry -> {
            ExportService service = ctx.getBean(ExportService.class);
            ExportMetrics metrics = new ExportMetrics(registry, ctx.getBean(JobDefinition.class), ctx.getBean(PartitionLedger.class),
                    service::budget, clock);
            record.accept(metrics, registry);
        });
    }

    /** Builds a registry for one push, lets {@code record} fill it, and publishes it once. */
    private void push(PrintStream err, String command, Consumer<MeterRegistry> record) {
        Map<String, String> attributes = new LinkedHashMap<>(resource);
        attributes.putIfAbsent("mixpanel_pipelines.command", command);
        OtlpConfig config = new OtlpConfig() {
            @Override
            public String get(String key) {
                return null;
            }

            @Override
            public String url() {
                return url;
            }

            @Override
            public Map<String, String> headers() {
                return headers;
            }

            @Override
            public Map<String, String> resourceAttributes() {
                return attributes;
            }

            @Override
            public Duration step() {
                // one push, at close: no periodic one during the run
                return Duration.ofDays(1);
            }
        };
        OtlpMeterRegistry registry = new OtlpMeterRegistry(config, io.micrometer.core.instrument.Clock.SYSTEM);
        try {
            record.accept(registry);
        } catch (RuntimeException e) {
            err.println("warning: the run's metrics were not recorded: " + e.getMessage());
        } finally {
            // close publishes once, now, on this thread; a failed send is logged by Micrometer (without headers)
            registry.close();
        }
    }

    /** Since the command's application context started (wall time: the job's clock may be a test's). */
    private static Duration took(ApplicationContext ctx) {
        return Duration.ofMillis(Math.max(0, System.currentTimeMillis() - ctx.getStartupDate()));
    }

    /** {@code k=v,k2=v2} as the OpenTelemetry variables write them (values may be percent-encoded). */
    static Map<String, String> pairs(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        if (text == null) {
            return m;
        }
        for (String pair : text.split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                m.put(pair.substring(0, eq).strip(), java.net.URLDecoder.decode(pair.substring(eq + 1).strip(),
                        java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return m;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
