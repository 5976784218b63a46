package io.mixpanelpipelines.job;

import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.ingest.SpoolJoiner;
import io.mixpanelpipelines.ingest.WindowSplitter;
import io.mixpanelpipelines.job.day.DaySpools;
import io.mixpanelpipelines.job.plan.DaySlice;
import io.mixpanelpipelines.job.plan.RequestWindow;
import io.mixpanelpipelines.source.ExportRequest;
import io.mixpanelpipelines.source.Spool;
import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slices of a sliced day, each a partition of step 1: a slice is fetched into its own spool (none when
 * it is spooled already), and the last of the day's slices to arrive joins them into the day's spool, which
 * the day step then converts as any other (one manifest, one content hash):
 * <ul>
 * <li>a day never published is joined from the slices' bodies as received, gzip members end to end
 * ({@link SpoolJoiner#joinReceived}): nothing is decoded before the day step converts it, once;</li>
 * <li>a day published before (a lookback or a rerun) needs its content hash before it is converted, so that
 * an unchanged day is not converted at all: each slice is split (parsed, hashed, zstd) as it arrives, on
 * the slices' own threads, and the split slices are joined without decoding them again
 * ({@link SpoolJoiner#join}).</li>
 * </ul>
 * A slice that fails fails its day (FAILED or DEFERRED, as a window): the slices spooled stay and the next
 * run requests only the others. Thread-safe: the day's join is under a lock of its own.
 */
final class SlicedDayFetch {

    /** Receives a request's body into a spool; false when Mixpanel refused it (the day's outcome is recorded). */
    @FunctionalInterface
    interface Download {
        boolean download(ExportRequest request, Spool spool, List<LocalDate> days, String label) throws IOException;
    }

    private static final Logger log = LoggerFactory.getLogger(SlicedDayFetch.class);

    private final JobDefinition job;
    private final DaySpools spools;
    /** One lock per sliced day, so that of its slices finishing at once only one joins the day's spool. */
    private final ConcurrentMap<LocalDate, Object> joining = new ConcurrentHashMap<>();
    /** One lock per slice, so that a slice is split once (see {@link #split}). */
    private final ConcurrentMap<String, Object> splitting = new ConcurrentHashMap<>();

    SlicedDayFetch(JobDefinition job, DaySpools spools) {
        this.job = job;
        this.spools = spools;
    }

    /**
     * Fetches the slice of {@code window}'s day starting at {@code fromHour}, then joins the day if it was the
     * last one missing.
     *
     * @param published whether the day was published before: its content hash is then worked out early
     */
    void fetch(RequestWindow window, int fromHour, boolean published, Download download) throws IOException {
        LocalDate day = window.from();
        List<DaySlice> slices = window.slices(job.mixpanel().timezone());
        DaySlice slice = slices.stream().filter(s -> s.fromHour() == fromHour).findFirst()
                .orElseThrow(() -> new IllegalStateException(day + " has no slice from hour " + fromHour));
        if (spools.forSplitSlice(slice).isComplete() || spools.forSlice(slice).isComplete()) {
            log.info("{}: using the complete slice spool (no request)", slice.label());
        } else if (!download.download(spools.sliceRequest(slice), spools.forSlice(slice), List.of(day), slice.label())) {
            return;
        }
        if (published) {
            split(slice);
        }
        synchronized (joining.computeIfAbsent(day, d -> new Object())) {
            if (spools.forDay(day).isComplete() || !slices.stream().allMatch(spools::isSpooled)) {
                return; // the last slice to arrive joins the day
            }
            if (!published && slices.stream().allMatch(s -> spools.forSlice(s).isComplete())) {
                SpoolJoiner.joinReceived(slices.stream().map(spools::forSlice).toList(), window.label(), spools.forDay(day));
            } else {
                List<Spool> parts = new ArrayList<>();
                for (DaySlice s : slices) {
                    parts.add(split(s));
                }
                SpoolJoiner.join(parts, window.label(), spools.forDay(day));
            }
            spools.deleteSlices(day);
            log.info("{}: {} slices joined into the day's spool", window.label(), slices.size());
        }
    }

    /**
     * The slice split (parsed, hashed, zstd), splitting its received spool first if need be. Under the slice's
     * own lock: the slice's fetch thread and the thread joining its day may both come here for it, and the
     * second must find the split done, not read a received spool the first is deleting. Once the day is
     * joined (its slices deleted), there is nothing left to split.
     */
    private Spool split(DaySlice slice) throws IOException {
        synchronized (splitting.computeIfAbsent(slice.label(), s -> new Object())) {
            Spool split = spools.forSplitSlice(slice);
            if (!split.isComplete() && !spools.forDay(slice.day()).isComplete()) {
                Spool received = spools.forSlice(slice);
                new WindowSplitter(job.mixpanel().timezone(), job.export().timeInMs())
                        .split(List.of(received), slice.label(), Map.of(slice.day(), split));
                received.delete();
            }
            return split;
        }
    }
}
