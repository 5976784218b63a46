package io.mixpanelpipelines.job;

import io.mixpanelpipelines.dataset.DatasetLayout;
import io.mixpanelpipelines.dataset.DayPublisher;
import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.source.ExportRequest;
import io.mixpanelpipelines.source.RequestBudget;
import io.mixpanelpipelines.source.MixpanelExportClient;
import io.mixpanelpipelines.source.SpoolStore;
import io.mixpanelpipelines.state.PartitionLedger;
import io.mixpanelpipelines.storage.Storage;

/**
 * The services one export run's workers share: all thread-safe, none holding a day's state (that lives in
 * each worker's step execution), so the same partitions could run in other processes.
 *
 * @param runId identifies this invocation in part names, manifests and the request log
 * @param outcomes how each day of this run ended when it did not publish (FAILED_FATAL, DEFERRED, FAILED),
 *     for the exit code; the ledger holds the durable state
 * @param requestSlots bounds the day steps' own downloads (one-day requests) to export.maxConcurrentRequests;
 *     step 1's multi-day fetches are bounded by its executor, and the two steps never run at once
 */
public record ExportContext(JobDefinition job, String runId, MixpanelExportClient client, SpoolStore spools,
        Storage storage, DatasetLayout layout, DayPublisher publisher, PartitionLedger ledger, Progress progress,
        RequestBudget budget, java.util.Map<java.time.LocalDate, String> outcomes,
        java.util.concurrent.Semaphore requestSlots) {

    /** The request of a single day: also the name of that day's spool. */
    public static ExportRequest dayRequest(JobDefinition job, java.time.LocalDate day) {
        return new ExportRequest(day, day, job.export().events(), null, null, job.export().timeInMs());
    }
}
