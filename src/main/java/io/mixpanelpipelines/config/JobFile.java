package io.mixpanelpipelines.config;

import io.mixpanelpipelines.storage.gcs.GcsSettings;
import io.mixpanelpipelines.storage.s3.S3Settings;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The job file as written, bound by Spring Boot's {@code Binder}: each record is one mapping of the file,
 * each component one key (its name is the key, exactly; the order is the order "allowed here" lists), each
 * {@link DefaultValue} the value of a key left out. Values are converted but not yet checked:
 * {@link JobFileChecks} turns this into a {@link JobDefinition}. A section that is absent binds to its
 * defaults; whether it was written at all is asked of the {@link JobFileTree}.
 */
record JobFile(String name, @DefaultValue Mixpanel mixpanel, @DefaultValue Export export,
        @DefaultValue Destination destination, @DefaultValue Simulator simulator, @DefaultValue Warehouse warehouse,
        @DefaultValue People people) {

    record Mixpanel(String projectId, @DefaultValue("us") Region region, String apiUrl, String timezone,
            @DefaultValue Auth auth) {
    }

    record Auth(@DefaultValue ServiceAccount serviceAccount, String projectSecretEnv, String projectSecretFile) {
    }

    record ServiceAccount(String usernameEnv, String usernameFile, String secretEnv, String secretFile) {
    }

    /** {@code daysPerRequest} stays text: a number of days or {@code adaptive}. */
    record Export(String startDate, @DefaultValue("0") long maxRejectedLines, @DefaultValue("128MB") DataSize partSize,
            @DefaultValue("2") long parallelism, @DefaultValue("30s") Duration connectTimeout,
            @DefaultValue("10m") Duration readTimeout, @DefaultValue("5") long maxAttempts,
            @DefaultValue("2s") Duration initialBackoff, @DefaultValue("2m") Duration maxBackoff,
            @DefaultValue("true") boolean timeInMs, @DefaultValue("zstd") ParquetCodec compression,
            @DefaultValue("data/spool") String spoolDir, List<String> events, @DefaultValue("50") long requestsPerHour,
            @DefaultValue("3") long requestsPerSecond, @DefaultValue("4") long maxConcurrentRequests,
            @DefaultValue("5") long lookbackDays, @DefaultValue("12h") Duration lookbackInterval, String daysPerRequest,
            @DefaultValue("2GB") DataSize maxRequestSize, String schedule, @DefaultValue("local") String workers,
            String spoolUri, @DefaultValue("30s") Duration workerHeartbeat,
            Integer sliceHours) {
    }

    record Destination(String uri, @DefaultValue S3 s3, @DefaultValue Gcs gcs) {
    }

    record S3(String region, String endpoint, @DefaultValue("false") boolean pathStyleAccess,
            @DefaultValue("" + (S3Settings.DEFAULT_PART_SIZE >> 20)) long partSizeMb,
            @DefaultValue("" + S3Settings.DEFAULT_PARTS_IN_FLIGHT) long partsInFlight, String sse, String kmsKeyId,
            String storageClass) {
    }

    record Gcs(String projectId, @DefaultValue("" + (GcsSettings.DEFAULT_CHUNK_SIZE >> 20)) long chunkSizeMb, String kmsKeyName) {
    }

    record Simulator(@DefaultValue("2000") long eventsPerDay, @DefaultValue("1") long seed,
            @DefaultValue("0") long profiles) {
    }

    /** {@code filterByCohort} is the cohort's numeric id; {@code includeAllUsers} stays null unless written. */
    record People(@DefaultValue("50") long requestsPerHour, @DefaultValue("3") long maxConcurrentRequests,
            @DefaultValue("snapshot") PeopleMode mode, @DefaultValue("7d") Duration fullEvery,
            List<String> outputProperties, String filterByCohort, Boolean includeAllUsers, List<String> groups,
            @DefaultValue("20") long maxPagesPerQuery) {
    }

    record Warehouse(WarehouseType type, String url, String usernameEnv, String usernameFile, String passwordEnv,
            String passwordFile, String table, String projectId, String stage, String iamRole) {
    }
}
