package io.mixpanelpipelines.cli.command;

import io.mixpanelpipelines.config.InvalidJobException;
import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.dataset.DatasetLayout;
import io.mixpanelpipelines.dataset.DayManifest;
import io.mixpanelpipelines.dataset.DayPublisher;
import io.mixpanelpipelines.job.ExportService;
import io.mixpanelpipelines.job.RunSummary;
import io.mixpanelpipelines.schedule.RunMetricsPush;
import io.mixpanelpipelines.state.LoadLedger;
import io.mixpanelpipelines.state.LoadRecord;
import io.mixpanelpipelines.state.PartitionLedger;
import io.mixpanelpipelines.state.PartitionRecord;
import io.mixpanelpipelines.state.PartitionState;
import io.mixpanelpipelines.storage.Storage;
import io.mixpanelpipelines.warehouse.DatasetFolders;
import io.mixpanelpipelines.warehouse.DatasetLoadService;
import io.mixpanelpipelines.warehouse.LoadSummary;
import io.mixpanelpipelines.warehouse.ProfileIdentityLoader;
import io.mixpanelpipelines.warehouse.WarehouseLoadService;
import io.mixpanelpipelines.warehouse.WarehouseLoader;
import io.mixpanelpipelines.warehouse.support.WarehouseLoaders;
import io.mixpanelpipelines.config.WarehouseSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/** The warehouse side of the command line: {@code load}, the load after {@code export}, and {@code status --json}. */
public final class WarehouseCommands {

    private static final JsonMapper JSON = JsonMapper.builder().findAndAddModules().build();

    private final ConfigurableApplicationContext ctx;
    private final Map<String, String> environment;
    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock;
    private boolean jsonOut;

    public WarehouseCommands(ConfigurableApplicationContext ctx, Map<String, String> environment, PrintStream out,
            PrintStream err, Clock clock) {
        this.ctx = ctx;
        this.environment = environment;
        this.out = out;
        this.err = err;
        this.clock = clock;
    }

    private JobDefinition job() {
        return ctx.getBean(JobDefinition.class);
    }

    private LoadLedger loadLedger() {
        return ctx.getBean(LoadLedger.class);
    }

    /** Loads the published days of {@code from..to} (days: exactly these) that need it; returns the exit code. */
    public int load(LocalDate from, LocalDate to, List<LocalDate> days, Path summaryJson) {
        return load(from, to, days, summaryJson, EnumSet.of(LoadDataset.events));
    }

    /**
     * Loads the events' days as {@link #load(LocalDate, LocalDate, List, Path)}, then people and identity
     * mappings ({@link DatasetLoadService}); {@code only} null: every dataset the destination holds.
     */
    public int load(LocalDate from, LocalDate to, List<LocalDate> days, Path summaryJson, Set<LoadDataset> only) {
        WarehouseSettings w = job().warehouse();
        if (w == null) {
            throw new InvalidJobException("the job has no warehouse: section; nothing to load into");
        }
        boolean events = only == null || only.contains(LoadDataset.events);
        Storage storage = ctx.getBean(Storage.class);
        DatasetLayout layout = ctx.getBean(DatasetLayout.class);
        LoadSummary summary = new LoadSummary(job().name(), w.target(), List.of(), RunSummary.OK);
        if (events) {
            try (WarehouseLoader loader = WarehouseLoaders.create(w, environment, storage, layout)) {
                WarehouseLoadService service = new WarehouseLoadService(job().name(), w, ctx.getBean(PartitionLedger.class),
                        loadLedger(), ctx.getBean(DayPublisher.class), loader, err, clock);
                summary = days != null ? service.loadDays(days) : service.load(from, to);
            }
        }
        DatasetFolders folders = new DatasetFolders(storage, layout);
        boolean people;
        boolean identity;
        if (only != null) {
            people = only.contains(LoadDataset.people);
            identity = only.contains(LoadDataset.identity);
        } else {
            try {
                people = folders.hasPeople();
                identity = folders.hasIdentity();
            } catch (RuntimeException e) {
                // an events-only job must not fail on a destination it can publish to but not list
                err.println("warning: cannot look for people and identity mappings in the destination (" + e.getMessage()
                        + "); they are not loaded: name them with --only to make this an error");
                people = false;
                identity = false;
            }
        }
        if (people || identity) {
            try (ProfileIdentityLoader loader = WarehouseLoaders.createProfileIdentity(w, environment, storage, layout)) {
                DatasetLoadService service = new DatasetLoadService(job().name(), w, loadLedger(), folders, loader, err, clock);
                List<LoadSummary.DatasetLoad> more = new ArrayList<>();
                if (people) {
                    more.addAll(service.loadPeople());
                }
                if (identity) {
                    more.addAll(service.loadIdentity());
                }
                summary = summary.with(more);
            }
        }
        if (jsonOut) {
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(loadJson(summary, events)));
        } else {
            print(summary, events, people || identity);
        }
        if (summaryJson != null) {
            write(summaryJson, loadJson(summary, events));
        }
        RunMetricsPush.load(environment, ctx, summary, clock, err);
        return summary.exitCode();
    }

    /** {@code load --json}: the summary's JSON on stdout instead of the text. */
    public WarehouseCommands json(boolean on) {
        this.jsonOut = on;
        return this;
    }

    private void print(LoadSummary summary, boolean events, boolean datasets) {
        if (events) {
            long loaded = summary.days().stream().filter(d -> d.outcome().equals("LOADED")).count();
            out.printf("%s: events: %d day(s) loaded into %s, %,d rows%n", summary.job(), loaded, summary.target(),
                    summary.rowsLoaded());
            for (LoadSummary.Day d : summary.days()) {
                out.printf("  %s  %-13s %,12d rows%s%s%n", d.day(), d.outcome(), d.rows(),
                        d.outcome().equals("LOADED") ? String.format("  %.1f s  %,.0f rows/s", d.millis() / 1000.0, d.rowsPerSecond()) : "",
                        d.error() == null ? "" : "  " + d.error());
            }
        }
        if (datasets) {
            printDatasets(summary);
        }
        if (summary.exitCode() != RunSummary.OK) {
            out.println("Some loads failed; the files are untouched: run `load` again.");
        }
    }

    /** After an export: loads the days it published, then the people and identity datasets that need it. */
    public int loadAfterExport(RunSummary export) {
        List<LocalDate> published = export.days().stream().filter(d -> d.state().equals(PartitionState.PUBLISHED.name()))
                .map(RunSummary.Day::day).toList();
        if (published.isEmpty()) {
            return RunSummary.OK;
        }
        // then people and identity mappings where the destination holds them: identity days are published with the events
        return load(null, null, published, null, null);
    }

    /**
     * Prints one day's state as JSON and answers as an Airflow sensor: 0 ready (published, and with
     * {@code requireLoaded} loaded from its current manifest); 1 its last attempt FAILED (the error is in
     * {@code lastError}); 2 the day is outside the job's range (before its first day or not over yet in
     * the project timezone), so no run will ever make it ready; 75 not yet (missing, running, deferred).
     */
    public int status(LocalDate day, boolean requireLoaded) {
        JobDefinition job = job();
        LocalDate today = ctx.getBean(ExportService.class).today();
        LocalDate first = job.export().firstDay(today);
        LocalDate last = today.minusDays(1);
        Optional<PartitionRecord> r = ctx.getBean(PartitionLedger.class).find(job.name(), day);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job", job.name());
        m.put("partition", day.toString());
        m.put("state", r.map(p -> p.state().name()).orElse("MISSING"));
        m.put("rows", r.map(PartitionRecord::rows).orElse(0L));
        m.put("files", r.map(PartitionRecord::files).orElse(0));
        m.put("runId", r.map(PartitionRecord::runId).orElse(null));
        m.put("lastError", r.map(PartitionRecord::lastError).orElse(null));
        boolean published = r.isPresent() && r.get().state() == PartitionState.PUBLISHED;
        m.put("published", published);
        boolean loaded = false;
        if (job.warehouse() != null) {
            String target = job.warehouse().target();
            Optional<LoadRecord> l = loadLedger().find(job.name(), day, target);
            DayManifest manifest = null;
            if (published) {
                try {
                    manifest = ctx.getBean(DayPublisher.class).read(day).orElse(null);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read the manifest of " + day, e);
                }
            }
            loaded = manifest != null && l.isPresent() && WarehouseLoadService.isLoaded(l.get(), manifest);
            Map<String, Object> lm = new LinkedHashMap<>();
            lm.put("target", target);
            lm.put("loaded", loaded);
            lm.put("runId", l.map(LoadRecord::runId).orElse(null));
            lm.put("rows", l.map(LoadRecord::rows).orElse(0L));
            lm.put("loadedAt", l.map(x -> x.loadedAt().toString()).orElse(null));
            m.put("warehouse", lm);
        } else if (requireLoaded) {
            throw new InvalidJobException("--loaded needs a warehouse: section in the job file");
        }
        boolean ready = published && (!requireLoaded || loaded);
        m.put("ready", ready);
        boolean inRange = !day.isBefore(first) && !day.isAfter(last);
        m.put("inRange", inRange);
        m.put("range", Map.of("from", first.toString(), "to", last.toString()));
        int code;
        if (ready) {
            code = RunSummary.OK;
        } else if (r.isPresent() && r.get().state() == PartitionState.FAILED) {
            code = RunSummary.FAILED;
        } else if (!inRange) {
            code = RunSummary.INVALID;
        } else {
            code = RunSummary.DEFERRED;
        }
        m.put("exitCode", code);
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(m));
        if (code == RunSummary.INVALID) {
            err.println("error: " + day + " is outside the job's range " + first + ".." + last
                    + (day.isBefore(first) ? " (before export.startDate)" : " (not over yet in " + job.mixpanel().timezone() + ")"));
        }
        return code;
    }

    private void printDatasets(LoadSummary summary) {
        List<LoadSummary.DatasetLoad> ds = summary.datasets();
        long loaded = ds.stream().filter(d -> d.outcome().equals("LOADED")).count();
        long rows = ds.stream().filter(d -> d.outcome().equals("LOADED")).mapToLong(LoadSummary.DatasetLoad::rows).sum();
        out.printf("%s: people/identity: %d folder(s) loaded, %,d rows%n", summary.job(), loaded, rows);
        if (ds.isEmpty()) {
            out.println("  (the destination holds no people snapshot, group profiles or identity mappings)");
        }
        for (LoadSummary.DatasetLoad d : ds) {
            out.printf("  %-18s %-10s %-9s %,12d rows  %s%s%n", d.dataset(), d.date() == null ? "-" : d.date(), d.outcome(),
                    d.rows(), d.target(), d.error() == null ? "" : "  " + d.error());
        }
    }

    /**
     * @param events whether the events were loaded: when not ({@code --only people,identity}), the events'
     *     {@code target} and {@code partitions} are null rather than an events table nothing went into
     */
    static Map<String, Object> loadJson(LoadSummary s, boolean events) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("job", s.job());
        root.put("target", events ? s.target() : null);
        root.put("exitCode", s.exitCode());
        root.put("rowsLoaded", s.rowsLoaded());
        root.put("partitions", !events ? null : s.days().stream().map(d -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("day", d.day().toString());
            m.put("outcome", d.outcome());
            m.put("rows", d.rows());
            m.put("millis", d.millis());
            m.put("rowsPerSecond", Math.round(d.rowsPerSecond()));
            m.put("runId", d.runId());
            m.put("error", d.error());
            return m;
        }).toList());
        root.put("datasets", s.datasets().stream().map(d -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("dataset", d.dataset());
            m.put("target", d.target());
            m.put("date", d.date() == null ? null : d.date().toString());
            m.put("outcome", d.outcome());
            m.put("rows", d.rows());
            m.put("millis", d.millis());
            m.put("error", d.error());
            return m;
        }).toList());
        return root;
    }

    private static void write(Path file, Map<String, Object> json) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
