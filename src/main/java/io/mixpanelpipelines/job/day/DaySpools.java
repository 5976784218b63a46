package io.mixpanelpipelines.job.day;

import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.source.ExportRequest;
import io.mixpanelpipelines.source.Spool;
import io.mixpanelpipelines.source.SpoolManifest;
import io.mixpanelpipelines.source.SpoolStore;
import io.mixpanelpipelines.job.plan.DaySlice;
import io.mixpanelpipelines.job.plan.RequestWindow;
import java.nio.file.Path;
import java.time.LocalDate;

/**
 * A job's spools, by day and by request window: a day's spool is named after the day's own request, so
 * whether step 1 split it out of a multi-day window, assembled it from the day's slices or the day step
 * downloaded it, it is the same one. A slice's spool lives in the folder {@code <day spool>.slices/} beside
 * the day's, named after the slice's hours and its {@code where}, so the day's slices go with one delete.
 * Thread-safe (immutable; spools are plain directories).
 */
public final class DaySpools {

    private final JobDefinition job;
    private final SpoolStore store;

    public DaySpools(JobDefinition job, SpoolStore store) {
        this.job = job;
        this.store = store;
    }

    /** The request of a single day: also the name of that day's spool. */
    public ExportRequest dayRequest(LocalDate day) {
        return windowRequest(day, day);
    }

    /** The request of the days {@code from..to}, with the job's event filter. */
    public ExportRequest windowRequest(LocalDate from, LocalDate to) {
        return new ExportRequest(from, to, job.export().events(), null, null, job.export().timeInMs());
    }

    /** The spool of one day. */
    public Spool forDay(LocalDate day) {
        return store.forRequest(dayRequest(day));
    }

    /** The request of one slice of a day: the day, with the job's event filter and the slice's {@code where}. */
    public ExportRequest sliceRequest(DaySlice slice) {
        return new ExportRequest(slice.day(), slice.day(), job.export().events(), slice.where(), null,
                job.export().timeInMs());
    }

    /** The spool of one slice of a day. */
    public Spool forSlice(DaySlice slice) {
        return store.at(slicesDir(slice.day()).getFileName().toString(), sliceName(slice));
    }

    private static String sliceName(DaySlice slice) {
        return slice.label() + "_" + Integer.toHexString(slice.where().hashCode());
    }

    /**
     * The slice's body once {@linkplain io.mixpanelpipelines.ingest.WindowSplitter split} (zstd, with its
     * content hash), beside its spool: the day's spool is joined from these.
     */
    public Spool forSplitSlice(DaySlice slice) {
        return store.at(slicesDir(slice.day()).getFileName().toString(), sliceName(slice) + ".zst");
    }

    /**
     * The sum of the day's slices hashed as they arrived ({@link io.mixpanelpipelines.ingest.SpoolJoiner#sum}):
     * the content hash the whole day would publish; null unless every slice is split with its hash.
     */
    public SpoolManifest hashedSlices(java.util.List<DaySlice> slices, String window) {
        java.util.List<SpoolManifest> parts = new java.util.ArrayList<>();
        for (DaySlice s : slices) {
            Spool split = forSplitSlice(s);
            if (!split.isComplete()) {
                return null;
            }
            parts.add(split.manifest());
        }
        return io.mixpanelpipelines.ingest.SpoolJoiner.sum(parts, window);
    }

    /** The spool a slice step converts: the slice split (hashed) if it is, else as received. */
    public Spool sliceBody(DaySlice slice) {
        Spool split = forSplitSlice(slice);
        return split.isComplete() ? split : forSlice(slice);
    }

    /**
     * Deletes the spools of the day's slices {@code slices}, their shared copies too (remote workers), then
     * the day's slice folder.
     */
    public void deleteSlices(LocalDate day, java.util.List<DaySlice> slices) {
        for (DaySlice s : slices) {
            forSlice(s).delete();
            forSplitSlice(s).delete();
        }
        deleteSlices(day);
    }

    /** Whether the day's slices left a local spool folder (deleted with {@link #deleteSlices(LocalDate)}). */
    public boolean hasSlices(LocalDate day) {
        return java.nio.file.Files.exists(slicesDir(day));
    }

    /** Deletes the local spools of the day's slices, if any (once the day is published, or for a rerun). */
    public void deleteSlices(LocalDate day) {
        new Spool(slicesDir(day)).delete();
    }

    private Path slicesDir(LocalDate day) {
        Path dayDir = forDay(day).dir();
        return dayDir.resolveSibling(dayDir.getFileName() + ".slices");
    }

    /** Whether every day of a window already has a complete spool: converting it costs no request. */
    public boolean isFetched(RequestWindow w) {
        return w.days().stream().allMatch(d -> forDay(d).isComplete());
    }

    /** Whether a slice of a day is spooled, split or not (or its whole day is): fetching it costs no request. */
    public boolean isSpooled(DaySlice slice) {
        return forDay(slice.day()).isComplete() || forSplitSlice(slice).isComplete() || forSlice(slice).isComplete();
    }

    /**
     * The requests a window still needs: none when {@linkplain #isFetched fetched}; for a sliced day, its
     * slices not {@linkplain #isSpooled spooled}; else one.
     */
    public int requestsLeft(RequestWindow w) {
        if (isFetched(w)) {
            return 0;
        }
        return w.isSliced() ? (int) w.slices(job.mixpanel().timezone()).stream().filter(s -> !isSpooled(s)).count() : 1;
    }

    /** The spool of a request (a multi-day window's, before it is split). */
    public Spool forRequest(ExportRequest request) {
        return store.forRequest(request);
    }
}
