package io.mixpanelpipelines.warehouse;

import io.mixpanelpipelines.config.WarehouseSettings;
import io.mixpanelpipelines.dataset.PublishedDay;
import io.mixpanelpipelines.dataset.DayManifest;
import io.mixpanelpipelines.dataset.DayPublisher;
import io.mixpanelpipelines.state.LoadLedger;
import io.mixpanelpipelines.state.LoadRecord;
import io.mixpanelpipelines.state.PartitionLedger;
import io.mixpanelpipelines.state.PartitionRecord;
import io.mixpanelpipelines.state.PartitionState;
import java.io.PrintStream;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads published days that the load ledger does not show as loaded from their current manifest: days
 * never loaded, and days a late-data re-export or a rerun replaced. Reads the state database and the
 * destination, writes only the warehouse and the load ledger: a failed load touches no file and spends no
 * Mixpanel request, and the next {@code load} retries it. Not thread-safe.
 */
public final class WarehouseLoadService {

    private static final Logger log = LoggerFactory.getLogger(WarehouseLoadService.class);

    private final String job;
    private final String target;
    private final PartitionLedger partitions;
    private final LoadLedger loads;
    private final DayPublisher publisher;
    private final WarehouseLoader loader;
    private final PrintStream console;
    private final Clock clock;

    public WarehouseLoadService(String job, WarehouseSettings settings, PartitionLedger partitions, LoadLedger loads,
            DayPublisher publisher, WarehouseLoader loader, PrintStream console, Clock clock) {
        this.job = job;
        this.target = settings.target();
        this.partitions = partitions;
        this.loads = loads;
        this.publisher = publisher;
        this.loader = loader;
        this.console = console;
        this.clock = clock;
    }

    /** Loads what needs loading among the published days in {@code from..to} (either may be null: open). */
    public LoadSummary load(LocalDate from, LocalDate to) {
        List<LocalDate> days = new ArrayList<>();
        for (PartitionRecord r : partitions.list(job)) {
            if (r.state() == PartitionState.PUBLISHED && (from == null || !r.day().isBefore(from))
                    && (to == null || !r.day().isAfter(to))) {
                days.add(r.day());
            }
        }
        return loadDays(days);
    }

    /** Loads these days where needed; a day without a published manifest is reported NOT_PUBLISHED. */
    public LoadSummary loadDays(List<LocalDate> days) {
        List<LoadSummary.Day> out = new ArrayList<>();
        boolean prepared = false;
        boolean failed = false;
        for (LocalDate day : days) {
            try {
                Optional<DayManifest> manifest = publisher.read(day);
                if (manifest.isEmpty()) {
                    out.add(new LoadSummary.Day(day, "NOT_PUBLISHED", 0, 0, null, null));
                    continue;
                }
                DayManifest m = manifest.get();
                Optional<LoadRecord> last = loads.find(job, day, target);
                if (last.isPresent() && isLoaded(last.get(), m)) {
                    out.add(new LoadSummary.Day(day, "UNCHANGED", last.get().rows(), 0, m.runId(), null));
                    continue;
                }
                if (!prepared) {
                    loader.prepare();
                    prepared = true;
                }
                long start = System.nanoTime();
                long rows = loader.load(PublishedDay.of(m, publisher.layout()), n -> progress(day, n, m.rows(), start));
                long millis = Math.max(1, (System.nanoTime() - start) / 1_000_000);
                loads.loaded(new LoadRecord(job, day, target, m.runId(), m.contentHash(), rows, millis, clock.instant()));
                LoadSummary.Day d = new LoadSummary.Day(day, "LOADED", rows, millis, m.runId(), null);
                console.printf("loaded %s into %s: %,d rows in %.1f s (%,.0f rows/s)%n", day, target, rows, millis / 1000.0,
                        d.rowsPerSecond());
                out.add(d);
            } catch (Exception e) {
                failed = true;
                String msg = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
                log.error("loading {} into {} failed: {}", day, target, msg);
                out.add(new LoadSummary.Day(day, "FAILED", 0, 0, null, msg));
            }
        }
        return new LoadSummary(job, target, out, failed ? 1 : 0);
    }

    /** Whether the warehouse holds the day as this manifest published it. */
    public static boolean isLoaded(LoadRecord last, DayManifest current) {
        return last.runId().equals(current.runId()) && Objects.equals(last.contentHash(), current.contentHash());
    }

    private void progress(LocalDate day, long rows, long total, long startNanos) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        if (rows < total) {
            console.printf("loading %s: %,d of %,d rows (%,.0f rows/s)%n", day, rows, total, seconds > 0 ? rows / seconds : 0);
        }
    }

    public String target() {
        return target;
    }
}
