package io.mixpanelpipelines.config;

import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.gcs.GcsSettings;
import io.mixpanelpipelines.storage.s3.S3Settings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A validated job file. Built only by {@link JobDefinitionLoader}; holds no secret, only where to find
 * each one ({@link SecretSource}), so it is safe to log.
 *
 * @param name unique within a state store; letters, digits, dot, dash and underscore
 * @param simulator when present, the built-in Mixpanel simulator is started in-process and used instead
 *     of Mixpanel (the demo job)
 * @param warehouse where {@code load} (and {@code export}, unless {@code --no-load}) loads published days;
 *     null: files only
 * @param people the people profiles exported after the events; null: no {@code people} section, events only
 */
public record JobDefinition(String name, Mixpanel mixpanel, Export export, Destination destination,
        Simulator simulator, WarehouseSettings warehouse, People people) {

    /** A job without a warehouse. */
    public JobDefinition(String name, Mixpanel mixpanel, Export export, Destination destination, Simulator simulator) {
        this(name, mixpanel, export, destination, simulator, null, null);
    }

    /** A job without people profiles. */
    public JobDefinition(String name, Mixpanel mixpanel, Export export, Destination destination, Simulator simulator,
            WarehouseSettings warehouse) {
        this(name, mixpanel, export, destination, simulator, warehouse, null);
    }

    /**
     * Where this job's credentials come from: with {@code withMixpanel}, Mixpanel's (none for a simulated job
     * without auth), and with {@code withWarehouse}, the warehouse's; for checking them all at once before any
     * request.
     */
    public List<SecretSource> secretSources(boolean withMixpanel, boolean withWarehouse) {
        List<SecretSource> sources = new ArrayList<>();
        Auth auth = mixpanel.auth();
        if (withMixpanel && auth != null) {
            sources.addAll(auth.isServiceAccount() ? List.of(auth.serviceAccountUsername(), auth.serviceAccountSecret())
                    : List.of(auth.projectSecret()));
        }
        if (withWarehouse && warehouse != null) {
            Stream.of(warehouse.username(), warehouse.password()).filter(Objects::nonNull).forEach(sources::add);
        }
        return sources;
    }

    /** The same job, sending its requests to {@code apiUrl} (the in-process simulator of the demo). */
    public JobDefinition withApiUrl(URI apiUrl) {
        return new JobDefinition(name, new Mixpanel(mixpanel.projectId(), mixpanel.region(), apiUrl, mixpanel.timezone(),
                mixpanel.auth()), export, destination, simulator, warehouse, people);
    }

    /**
     * @param apiUrl the export host: the region's unless overridden (proxies, tests)
     * @param timezone the project's timezone; days are cut and {@code time} is converted with it
     * @param auth null only when {@code simulator} is set (the simulator then makes up a credential)
     */
    public record Mixpanel(String projectId, Region region, URI apiUrl, ZoneId timezone, Auth auth) {

        /** The Query API's host (engage): the region's, unless {@code apiUrl} was overridden (then that). */
        public URI queryUrl() {
            return apiUrl.equals(region.exportHost()) ? region.queryHost() : apiUrl;
        }
    }

    /** Exactly one of a service account (username and secret) or a project secret. */
    public record Auth(SecretSource serviceAccountUsername, SecretSource serviceAccountSecret,
            SecretSource projectSecret) {

        public boolean isServiceAccount() {
            return serviceAccountUsername != null;
        }
    }

    /**
     * @param startDate first day exported when no range is given (null: {@code startDaysAgo} applies)
     * @param startDaysAgo relative start ({@code startDate: -7d}), in days before today in the project timezone
     * @param maxRejectedLines malformed lines a day may have before it fails (they are kept in {@code _rejected/})
     * @param partSizeBytes a Parquet part file is closed, and checkpointed, once it reaches this size
     * @param parallelism days converted at once
     * @param readTimeout longest silence on an export connection before it is retried
     * @param maxAttempts tries per export request (connection errors, 5xx, cut streams, 429)
     * @param timeInMs ask Mixpanel for millisecond {@code time}
     * @param events only these event names (empty: all)
     * @param requestsPerHour this job's share of Mixpanel's 60 export requests per hour (the rest is left for
     *     people's reports); shared with every job of the same project and state store
     * @param requestsPerSecond at most this many requests in any second (Mixpanel allows 3)
     * @param maxConcurrentRequests requests in flight at once for the project
     * @param lookbackDays published days re-fetched by a run without a range, for late data
     * @param lookbackInterval a published day in the lookback is fetched again at most once per this interval, so
     *     that an hourly schedule does not spend a request on the same days every hour
     * @param daysPerRequest consecutive days per request; null: adaptive, sized from the volumes seen so far
     *     to keep a body within {@code maxRequestBytes} (at most 31 days)
     * @param maxRequestBytes the decoded body size an adaptive request aims to stay within
     * @param schedule when {@code schedule} runs the job: a cron expression of Spring's six-field form
     *     (seconds first; a five-field job-file value is given second 0), in the project timezone; null: never
     * @param remoteWorkers {@code workers: remote}: the days are converted by {@code worker} processes (Spring Batch
     *     remote partitioning over the state database), this process only plans, fetches multi-day windows and
     *     waits; false ({@code local}, the default): every day runs in this process
     * @param spoolUri shared storage for the spools ({@code s3://}, {@code gs://} or a folder every worker sees);
     *     required with remote workers, null otherwise (spools stay in {@code spoolDir} only)
     * @param workerHeartbeat how often a worker says it is alive; a partition whose worker was silent for three
     *     of these is given to another worker
     * @param sliceHours every day is requested as slices of this many wall-clock hours (one of {@link #SLICE_HOURS});
     *     null: a day is sliced only when its expected body exceeds {@code maxRequestBytes}
     */
    public record Export(LocalDate startDate, Integer startDaysAgo, long maxRejectedLines, long partSizeBytes,
            int parallelism, Duration connectTimeout, Duration readTimeout, int maxAttempts,
            Duration initialBackoff, Duration maxBackoff, boolean timeInMs, ParquetCodec codec, Path spoolDir,
            List<String> events, int requestsPerHour, int requestsPerSecond, int maxConcurrentRequests,
            int lookbackDays, Integer daysPerRequest, long maxRequestBytes, String schedule,
            Duration lookbackInterval, boolean remoteWorkers, Location spoolUri, Duration workerHeartbeat,
            Integer sliceHours) {

        /** The slice lengths a day can be cut into: the divisors of 24 below 24, so every slice ends on the hour. */
        public static final List<Integer> SLICE_HOURS = List.of(1, 2, 3, 4, 6, 8, 12);

        /** The most days one request may hold. */
        public static final int MAX_DAYS_PER_REQUEST = 31;

        /** The first day to export when neither a range nor a published day says otherwise. */
        public LocalDate firstDay(LocalDate today) {
            return startDate != null ? startDate : today.minusDays(startDaysAgo);
        }
    }

    /**
     * @param uri where the dataset goes: {@code file://}, {@code s3://bucket/prefix} or {@code gs://bucket/prefix}
     * @param s3 settings of an {@code s3://} destination (defaults when the section is absent)
     * @param gcs settings of a {@code gs://} destination (defaults when the section is absent)
     */
    public record Destination(Location uri, S3Settings s3, GcsSettings gcs) {

        public Destination(Location uri) {
            this(uri, S3Settings.defaults(), GcsSettings.defaults());
        }
    }

    /** @param profiles user profiles the simulator serves (engage) */
    public record Simulator(long eventsPerDay, long seed, long profiles) {

        public Simulator(long eventsPerDay, long seed) {
            this(eventsPerDay, seed, 0);
        }
    }

    /**
     * The {@code people} section: profiles read through Mixpanel's engage query.
     *
     * @param requestsPerHour this job's share of the Query API's 60 requests per hour (each page is one),
     *     shared with every job of the same project and state store
     * @param maxConcurrentRequests Query API requests in flight at once for the project (Mixpanel allows 5)
     * @param mode {@code snapshot}: every run reads every profile; {@code changes}: only the profiles whose
     *     {@code $last_seen} moved since the last snapshot, with a full snapshot every {@code fullEvery}
     * @param outputProperties only these properties (empty: all)
     * @param filterByCohort only the members of this cohort (null: every profile)
     * @param includeAllUsers with a cohort: also its members without a profile (null: Mixpanel's default)
     * @param groups group profiles to export too, by {@code data_group_id}
     * @param maxPagesPerQuery a {@code $last_seen} range matching more pages than this is split, so that
     *     each query finishes well within one engage session and an expired one costs at most this many pages
     */
    public record People(int requestsPerHour, int maxConcurrentRequests, PeopleMode mode, Duration fullEvery,
            List<String> outputProperties, Long filterByCohort, Boolean includeAllUsers, List<String> groups,
            int maxPagesPerQuery) {

        public People {
            outputProperties = List.copyOf(outputProperties);
            groups = List.copyOf(groups);
        }
    }
}
