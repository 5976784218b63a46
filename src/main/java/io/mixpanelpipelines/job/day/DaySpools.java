package io.mixpanelpipelines.job.day;

import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.source.ExportRequest;
import io.mixpanelpipelines.source.Spool;
import io.mixpanelpipelines.source.SpoolStore;
import java.time.LocalDate;

/**
 * A job's spools, by day and by request window: a day's spool is named after the day's own request, so
 * whether step 1 split it out of a multi-day window or the day step downloaded it, it is the same one.
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

    /** The spool of a request (a multi-day window's, before it is split). */
    public Spool forRequest(ExportRequest request) {
        return store.forRequest(request);
    }
}
