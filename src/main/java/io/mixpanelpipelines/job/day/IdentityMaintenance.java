package io.mixpanelpipelines.job.day;

import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.dataset.DatasetLayout;
import io.mixpanelpipelines.dataset.DayManifest;
import io.mixpanelpipelines.dataset.DayPublisher;
import io.mixpanelpipelines.dataset.PartInfo;
import io.mixpanelpipelines.dataset.PublishedDay;
import io.mixpanelpipelines.identity.DayIdentities;
import io.mixpanelpipelines.identity.EventsIdentityReader;
import io.mixpanelpipelines.identity.IdentityManifest;
import io.mixpanelpipelines.identity.IdentityPublisher;
import io.mixpanelpipelines.state.IdentityLedger;
import io.mixpanelpipelines.state.IdentityRecord;
import io.mixpanelpipelines.state.PartitionLedger;
import io.mixpanelpipelines.state.PartitionRecord;
import io.mixpanelpipelines.state.PartitionState;
import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.Storage;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each published event day's identity mappings in step with its events. A day step {@link #stage}s the
 * mappings it derived while converting, before its events are published, and {@link #publishStaged publishes}
 * them right after; whatever a crash or an error left between the two, {@link #repair} (run by every
 * export and rerun) finishes without a request: it publishes the staged file, or, for a published day with
 * no current mappings (exported before this existed), derives them again from the day's published Parquet.
 * "Current" means derived from the events' content the partition ledger records now ({@link IdentityRecord}).
 *
 * <p>Thread-safe (holds no day's state): one instance serves every day step of a run. Called only by the
 * holder of the job's lock.
 */
public final class IdentityMaintenance {

    private static final Logger log = LoggerFactory.getLogger(IdentityMaintenance.class);

    private final JobDefinition job;
    private final PartitionLedger partitions;
    private final IdentityLedger ledger;
    private final IdentityPublisher publisher;
    private final DayPublisher events;
    private final EventsIdentityReader reader;
    /** Local scratch: DuckDB's downloads of object-store files, and the days' spilled candidates. */
    private final java.nio.file.Path scratch;
    private final Storage storage;

    public IdentityMaintenance(JobDefinition job, PartitionLedger partitions, IdentityLedger ledger,
            IdentityPublisher publisher, DayPublisher events, Storage storage) {
        this.job = job;
        this.partitions = partitions;
        this.ledger = ledger;
        this.publisher = publisher;
        this.events = events;
        this.storage = storage;
        this.scratch = job.export().spoolDir().resolve(job.name()).resolve("_identity");
        this.reader = new EventsIdentityReader(storage, scratch);
    }

    /**
     * A new, empty set of candidates for the step converting {@code dayOrSlice} (a day, {@code 2026-03-08}, or
     * a slice's label, {@code 2026-03-08T03-06}): it spills to a local folder of its own, which its next
     * conversion empties (what a killed process left there goes).
     */
    public DayIdentities newMappings(String dayOrSlice) {
        return new DayIdentities(scratch.resolve("spill-" + dayOrSlice));
    }

    /**
     * Adds to {@code into} the mappings of parts a resumed day step staged before it died (their lines are not
     * read again). A part no longer staged but in the published day was moved there by a publish the death cut
     * short: its name carries the run that wrote it, so it is the same file.
     */
    public void addStagedParts(LocalDate day, List<PartInfo> parts, DayIdentities into) throws IOException {
        DatasetLayout layout = events.layout();
        List<Location> files = new ArrayList<>();
        for (PartInfo p : parts) {
            Location staged = layout.staging(day).resolve(p.name());
            Location published = layout.day(day).resolve(p.name());
            files.add(!storage.exists(staged) && storage.exists(published) ? published : staged);
        }
        reader.read(files, into);
    }

    /** Before the day's events are published: writes their mappings to the staging folder. */
    public void stage(LocalDate day, String eventsContent, String eventsRunId, DayIdentities mappings) throws IOException {
        long started = System.nanoTime();
        IdentityManifest m = publisher.stage(day, eventsContent, eventsRunId, mappings);
        if (mappings.spills() > 0) { // what a big day cost, said once: local disk, not heap, and the time it took
            log.info("{}: {} identity mappings staged in {} ms, merged from {} runs spilled to local disk ({} MB)", day,
                    m.rows(), (System.nanoTime() - started) / 1_000_000, mappings.spills(), mappings.spilledBytes() >> 20);
        } else {
            log.debug("{}: {} identity mappings staged", day, m.rows());
        }
    }

    /**
     * Right after the day's events are published (and recorded): publishes the staged mappings. A failure is
     * logged, not thrown: the events are published, and {@link #repair} at the end of the run (or the next
     * run) publishes what is staged.
     */
    public void publishStaged(LocalDate day) {
        try {
            IdentityManifest m = publisher.publish(day);
            record(day, m);
        } catch (IOException | RuntimeException e) {
            log.warn("{}: events published, identity mappings not yet ({}); the next export or rerun publishes them",
                    day, e.getMessage());
        }
    }

    /**
     * Makes the mappings of a day whose events are unchanged current, from {@code mappings} derived from the
     * same content (or, when null, from its published Parquet); nothing when they already are.
     */
    public void keepCurrent(LocalDate day, DayIdentities mappings) {
        Optional<PartitionRecord> published = partitions.find(job.name(), day).filter(r -> r.state() == PartitionState.PUBLISHED);
        if (published.isEmpty() || isCurrent(published.get())) {
            return;
        }
        try {
            if (mappings == null) {
                rebuild(published.get());
            } else {
                stage(day, IdentityRecord.contentOf(published.get()), published.get().runId(), mappings);
                record(day, publisher.publish(day));
            }
        } catch (IOException | RuntimeException e) {
            log.warn("{}: identity mappings not published ({}); the next export or rerun publishes them", day, e.getMessage());
        }
    }

    /**
     * Brings the mappings of {@code days} and of every day with something staged up to date with their
     * published events: publishes a staged file derived from the current events, else derives the mappings
     * again from the published Parquet. Days not published are left alone (their day step stages again).
     * Failures are logged per day; returns the days repaired.
     */
    public List<LocalDate> repair(Collection<LocalDate> days) {
        SortedSet<LocalDate> todo = new TreeSet<>(days);
        try {
            todo.addAll(publisher.stagedDays());
        } catch (IOException | RuntimeException e) {
            log.warn("cannot list staged identity mappings in {}: {}", publisher.layout().stagingRoot(), e.getMessage());
        }
        List<LocalDate> repaired = new java.util.ArrayList<>();
        for (LocalDate day : todo) {
            Optional<PartitionRecord> r = partitions.find(job.name(), day);
            if (r.isEmpty() || r.get().state() != PartitionState.PUBLISHED || isCurrent(r.get())) {
                continue;
            }
            try {
                Optional<IdentityManifest> staged = publisher.staged(day);
                if (staged.isPresent() && staged.get().eventsContent().equals(IdentityRecord.contentOf(r.get()))) {
                    record(day, publisher.publish(day));
                    log.info("{}: published the identity mappings staged before a crash", day);
                } else {
                    rebuild(r.get());
                }
                repaired.add(day);
            } catch (IOException | RuntimeException e) {
                log.warn("{}: identity mappings not repaired: {}", day, e.getMessage());
            }
        }
        return repaired;
    }

    private boolean isCurrent(PartitionRecord published) {
        return ledger.find(job.name(), published.day()).map(i -> i.isCurrentFor(published)).orElse(false);
    }

    /** Derives a published day's mappings from its Parquet files (no request), then publishes them. */
    private void rebuild(PartitionRecord published) throws IOException {
        LocalDate day = published.day();
        DayManifest manifest = events.read(day).orElseThrow(() -> new java.nio.file.NoSuchFileException(
                events.layout().manifest(day) + " (the published day has no manifest)"));
        long started = System.nanoTime();
        IdentityManifest m;
        try (DayIdentities mappings = new DayIdentities(scratch.resolve("rebuild-" + day))) {
            reader.read(PublishedDay.of(manifest, events.layout()).files(), mappings);
            stage(day, IdentityRecord.contentOf(published), manifest.runId(), mappings);
            m = publisher.publish(day);
        }
        record(day, m);
        log.info("{}: identity mappings rebuilt from the published events: {} rows in {} ms", day, m.rows(),
                (System.nanoTime() - started) / 1_000_000);
    }

    private void record(LocalDate day, IdentityManifest m) {
        ledger.published(new IdentityRecord(job.name(), day, m.eventsContent(), m.rows(), Instant.now()));
    }
}
