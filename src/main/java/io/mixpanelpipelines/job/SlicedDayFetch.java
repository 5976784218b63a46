package io.mixpanelpipelines.job;

import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.ingest.WindowSplitter;
import io.mixpanelpipelines.job.day.DaySpools;
import io.mixpanelpipelines.job.plan.DaySlice;
import io.mixpanelpipelines.job.plan.RequestWindow;
import io.mixpanelpipelines.source.ExportRequest;
import io.mixpanelpipelines.source.Spool;
import java.io.IOException;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slices of a sliced day, each a partition of step 1: a slice is fetched into its own spool (none when
 * it is spooled already), which a partition of step 2 of its own then converts ({@link DayPartitioner}).
 * A day published before (a lookback or a rerun) needs its content hash before it is converted, so that an
 * unchanged day is not converted at all: each of its slices is split (parsed, hashed, zstd) as it arrives,
 * on the slice's own thread, and step 2 sums the slices' hashes ({@link DaySpools#hashedSlices}).
 * A slice that fails fails its day (FAILED or DEFERRED, as a window): the slices spooled stay and the next
 * run requests only the others. Thread-safe (no state of its own): each slice has its own partition.
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

    SlicedDayFetch(JobDefinition job, DaySpools spools) {
        this.job = job;
        this.spools = spools;
    }

    /**
     * Fetches the slice of {@code window}'s day starting at {@code fromHour}.
     *
     * @param published whether the day may be left alone if unchanged: its slices' content hash is then
     *     worked out as they arrive
     */
    void fetch(RequestWindow window, int fromHour, boolean published, Download download) throws IOException {
        LocalDate day = window.from();
        DaySlice slice = window.slices(job.mixpanel().timezone()).stream().filter(s -> s.fromHour() == fromHour)
                .findFirst().orElseThrow(() -> new IllegalStateException(day + " has no slice from hour " + fromHour));
        if (spools.isSpooled(slice)) {
            log.info("{}: using the complete slice spool (no request)", slice.label());
        } else if (!download.download(spools.sliceRequest(slice), spools.forSlice(slice), List.of(day), slice.label())) {
            return;
        }
        if (published) {
            split(slice);
        }
    }

    /** Splits the slice's received spool (parsed, hashed, zstd) unless it is split already. */
    private void split(DaySlice slice) throws IOException {
        Spool split = spools.forSplitSlice(slice);
        Spool received = spools.forSlice(slice);
        if (!split.isComplete() && received.isComplete()) {
            new WindowSplitter(job.mixpanel().timezone(), job.export().timeInMs())
                    .split(List.of(received), slice.label(), Map.of(slice.day(), split));
            received.delete();
        }
    }
}
