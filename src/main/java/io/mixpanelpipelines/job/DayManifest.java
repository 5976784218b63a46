package io.mixpanelpipelines.job;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * The {@code _SUCCESS} file of a published day, written last: the day's folder holds exactly the files
 * it names. Readers that want a consistent day read this first.
 *
 * @param request the export request the day came from, and when its body was received
 * @param lateEvents reserved for late-data re-exports (rows added since the previous publish), else 0
 */
public record DayManifest(int schemaVersion, String job, String projectId, LocalDate eventDate, String timezone,
        String runId, Instant publishedAt, long rows, long bytes, long rejectedLines, List<PartInfo> files,
        Request request, long lateEvents) {

    /** The Mixpanel request behind a day. */
    public record Request(LocalDate fromDate, LocalDate toDate, boolean timeInMs, long lines, Instant receivedAt) {
    }
}
