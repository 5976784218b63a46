package io.mixpanelpipelines.job;

import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.source.MixpanelExportClient;
import io.mixpanelpipelines.source.SpoolStore;
import io.mixpanelpipelines.state.PartitionLedger;
import io.mixpanelpipelines.storage.Storage;

/**
 * The services one export run's workers share: all thread-safe, none holding a day's state (that lives in
 * each worker's step execution), so the same partitions could run in other processes.
 *
 * @param runId identifies this invocation in part names, manifests and the request log
 */
public record ExportContext(JobDefinition job, String runId, MixpanelExportClient client, SpoolStore spools,
        Storage storage, DatasetLayout layout, DayPublisher publisher, PartitionLedger ledger, Progress progress) {
}
