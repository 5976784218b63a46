package io.mixpanelpipelines.dataset;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * The {@code _SUCCESS} file of a published day, written last: the day's folder holds exactly the files
 * it names. Readers that want a consistent day read this first.
 *
 * @param request the export request the day came from, and when its body was received
 * @param contentHash the row count and an order-independent hash of the day's lines
 * @param rejectedLines malformed lines of the day, not published (kept in the spool's {@code _rejected/})
 * @param repairedLines published events whose line held broken surrogate escapes, stored with each one
 *     replaced by {@code \ufffd} (originals kept in the spool's {@code _repaired/}); 0 in manifests written
 *     before it was counted
 * @param lateEvents rows added since the previous publish of the day (late data; negative if Mixpanel
 *     returned fewer), 0 on a first publish
 */
public record DayManifest(int schemaVersion, String job, String projectId, LocalDate eventDate, String timezone,
        String runId, Instant publishedAt, long rows, long bytes, long rejectedLines, long repairedLines,
        List<PartInfo> files,
        Request request, String contentHash, long lateEvents) {

    /**
     * The Mixpanel request behind a day.
     *
     * @param window the request's days, {@code from..to}
     * @param lines lines of the day's share of the body
     */
    public record Request(String window, boolean timeInMs, long lines, Instant receivedAt) {
    }
}
