package io.mixpanelpipelines.config;

import io.mixpanelpipelines.storage.Location;

import java.net.URI;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.scheduling.support.CronExpression;
import org.springframework.util.unit.DataSize;

/**
 * What binding cannot check: required keys, ranges, formats and the keys that depend on each other. Turns
 * a bound {@link JobFile} into a {@link JobDefinition}, reporting every problem to the
 * {@link JobFileErrors}; relative paths are resolved against {@code base} (the job file's folder).
 * The destination and warehouse sections are checked by {@link DestinationChecks}.
 */
final class JobFileChecks {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /**
     * Upper-case names only: the convention for environment variables, and a guard against a secret pasted
     * where its variable's name belongs (it would otherwise be echoed as "variable X is not set").
     */
    private static final Pattern ENV_NAME = Pattern.compile("[A-Z_][A-Z0-9_]{0,127}");
    private static final Duration MAX_TIMEOUT = Duration.ofHours(24);
    private static final Pattern DAYS_AGO = Pattern.compile("-(\\d{1,5})d");

    final JobFileErrors errors;
    final JobFileTree tree;
    final Path base;

    JobFileChecks(JobFileErrors errors, JobFileTree tree, Path base) {
        this.errors = errors;
        this.tree = tree;
        this.base = base;
    }

    /** The job, or null when a problem was reported. */
    JobDefinition check(JobFile file) {
        if (required("name", file.name()) && !NAME.matcher(file.name()).matches()) {
            errors.add("name", "'" + file.name() + "' must be 1-64 letters, digits, '.', '-' or '_', starting with a letter or digit");
        }
        JobDefinition.Simulator simulator = tree.isMapping("simulator") ? new JobDefinition.Simulator(
                range("simulator.eventsPerDay", file.simulator().eventsPerDay(), 0, 100_000_000), file.simulator().seed(),
                range("simulator.profiles", file.simulator().profiles(), 0, 10_000_000)) : null;
        JobDefinition.Mixpanel mixpanel = section("mixpanel") ? mixpanel(file.mixpanel(), simulator != null) : null;
        JobDefinition.Export export = export(file.export());
        DestinationChecks destinations = new DestinationChecks(this);
        JobDefinition.Destination destination = section("destination") ? destinations.destination(file.destination()) : null;
        WarehouseSettings warehouse = tree.isMapping("warehouse") ? destinations.warehouse(file.warehouse(), destination) : null;
        // "people:" with only comments under it is YAML null: the section is there, with every default
        JobDefinition.People people = tree.isMapping("people") || tree.isEmpty("people")
                ? new PeopleChecks(this).people(file.people()) : null;
        return errors.isEmpty() ? new JobDefinition(file.name(), mixpanel, export, destination, simulator, warehouse, people)
                : null;
    }

    private JobDefinition.Mixpanel mixpanel(JobFile.Mixpanel m, boolean simulated) {
        if (required("mixpanel.projectId", m.projectId()) && !m.projectId().matches("\\d{1,20}")) {
            errors.add("mixpanel.projectId", "'" + m.projectId() + "' must be the numeric project id (quote it in YAML)");
        }
        URI apiUrl = m.apiUrl() == null ? m.region().exportHost() : httpUrl("mixpanel.apiUrl", m.apiUrl(), "mixpanel.auth");
        ZoneId zone = ZoneId.of("UTC");
        if (m.timezone() != null) {
            try {
                zone = ZoneId.of(m.timezone());
            } catch (DateTimeException e) {
                errors.add("mixpanel.timezone", "'" + m.timezone() + "' is not a timezone id such as UTC or America/New_York");
            }
        }
        JobDefinition.Auth auth = null;
        if (!tree.has("mixpanel.auth")) {
            if (!simulated) {
                errors.add("mixpanel.auth", "is required");
            }
        } else if (tree.isMapping("mixpanel.auth")) {
            auth = auth(m.auth());
        }
        return new JobDefinition.Mixpanel(m.projectId(), m.region(), apiUrl, zone, auth);
    }

    private JobDefinition.Auth auth(JobFile.Auth a) {
        boolean serviceAccount = tree.isMapping("mixpanel.auth.serviceAccount");
        SecretSource projectSecret = secretSource("mixpanel.auth", "projectSecret", a.projectSecretEnv(), a.projectSecretFile(), false);
        boolean projectSecretGiven = tree.has("mixpanel.auth.projectSecretEnv") || tree.has("mixpanel.auth.projectSecretFile");
        if (serviceAccount && projectSecretGiven) {
            errors.add("mixpanel.auth", "set either serviceAccount or projectSecretEnv/projectSecretFile, not both");
            return null;
        }
        if (!serviceAccount && !projectSecretGiven) {
            errors.add("mixpanel.auth", "set serviceAccount (usernameEnv/usernameFile and secretEnv/secretFile) or projectSecretEnv/projectSecretFile");
            return null;
        }
        if (serviceAccount) {
            JobFile.ServiceAccount sa = a.serviceAccount();
            String at = "mixpanel.auth.serviceAccount";
            return new JobDefinition.Auth(secretSource(at, "username", sa.usernameEnv(), sa.usernameFile(), true),
                    secretSource(at, "secret", sa.secretEnv(), sa.secretFile(), true), null);
        }
        return new JobDefinition.Auth(null, null, projectSecret);
    }

    private JobDefinition.Export export(JobFile.Export x) {
        LocalDate startDate = null;
        Integer daysAgo = null;
        if (required("export.startDate", x.startDate())) {
            Matcher m = DAYS_AGO.matcher(x.startDate());
            if (m.matches()) {
                daysAgo = Integer.parseInt(m.group(1));
            } else {
                try {
                    startDate = LocalDate.parse(x.startDate());
                } catch (DateTimeParseException e) {
                    errors.add("export.startDate", "'" + x.startDate() + "' must be a date YYYY-MM-DD or a number of days back such as -7d");
                }
            }
        }
        Duration connect = positive("export.connectTimeout", x.connectTimeout());
        Duration read = positive("export.readTimeout", x.readTimeout());
        for (String key : new String[] {"connectTimeout", "readTimeout"}) {
            if ((key.equals("readTimeout") ? read : connect).compareTo(MAX_TIMEOUT) > 0) {
                errors.add("export." + key, "must be at most 24h");
            }
        }
        Integer daysPerRequest = null;
        String dpr = x.daysPerRequest();
        if (dpr != null && !dpr.equalsIgnoreCase("adaptive")) {
            try {
                daysPerRequest = (int) range("export.daysPerRequest", Long.parseLong(dpr), 1, JobDefinition.Export.MAX_DAYS_PER_REQUEST);
            } catch (NumberFormatException e) {
                errors.add("export.daysPerRequest", "'" + dpr + "' is not a whole number or adaptive");
            }
        }
        boolean remote = "remote".equals(x.workers());
        if (!remote && !"local".equals(x.workers())) {
            errors.add("export.workers", "'" + x.workers() + "' must be local or remote");
        }
        String schedule = x.schedule();
        if (schedule != null && !CronExpression.isValidExpression(JobDefinitionLoader.cron(schedule))) {
            errors.add("export.schedule", "'" + schedule + "' is not a cron expression such as '30 * * * *' (minute hour day month weekday, "
                    + "optionally with seconds first)");
        }
        return new JobDefinition.Export(startDate, daysAgo, range("export.maxRejectedLines", x.maxRejectedLines(), 0, Long.MAX_VALUE),
                size("export.partSize", x.partSize(), 1024, DataSize.ofGigabytes(4).toBytes()),
                (int) range("export.parallelism", x.parallelism(), 1, 64), connect, read,
                (int) range("export.maxAttempts", x.maxAttempts(), 1, 100), positive("export.initialBackoff", x.initialBackoff()),
                positive("export.maxBackoff", x.maxBackoff()), x.timeInMs(), x.compression(),
                base.resolve(x.spoolDir()).toAbsolutePath().normalize(), x.events() == null ? List.of() : List.copyOf(x.events()),
                (int) range("export.requestsPerHour", x.requestsPerHour(), 1, 60),
                (int) range("export.requestsPerSecond", x.requestsPerSecond(), 1, 3),
                (int) range("export.maxConcurrentRequests", x.maxConcurrentRequests(), 1, 100),
                (int) range("export.lookbackDays", x.lookbackDays(), 0, 30), daysPerRequest,
                size("export.maxRequestSize", x.maxRequestSize(), 1024, DataSize.ofGigabytes(1024).toBytes()),
                JobDefinitionLoader.cron(schedule), positive("export.lookbackInterval", x.lookbackInterval()),
                remote, spoolUri(x.spoolUri(), remote), positive("export.workerHeartbeat", x.workerHeartbeat()),
                sliceHours(x.sliceHours()));
    }

    /** {@code export.spoolUri}: required with remote workers (they must all read every spool). */
    private Location spoolUri(String uri, boolean remote) {
        if (uri == null) {
            if (remote) {
                errors.add("export.spoolUri", "is required with export.workers: remote (shared storage every worker reads, "
                        + "e.g. s3://bucket/_spool/ or gs://bucket/_spool/)");
            }
            return null;
        }
        if (!uri.contains("://")) {
            return Location.of(base.resolve(uri).toAbsolutePath().normalize());
        }
        try {
            Location location = Location.of(uri);
            if (location.scheme() != Location.Scheme.FILE && location.bucket().isEmpty()) {
                errors.add("export.spoolUri", "'" + uri + "' names no bucket");
            }
            return location;
        } catch (IllegalArgumentException e) {
            errors.add("export.spoolUri", e.getMessage());
            return null;
        }
    }

    private Integer sliceHours(Integer hours) {
        if (hours != null && !JobDefinition.Export.SLICE_HOURS.contains(hours)) {
            errors.add("export.sliceHours", "'" + hours + "' must be 1, 2, 3, 4, 6, 8 or 12 (hours per request; "
                    + "they must divide the day)");
            return null;
        }
        return hours;
    }

    // --- helpers shared with DestinationChecks ---

    /** Whether a required section is there as a mapping; its absence is reported (a non-mapping already was). */
    boolean section(String key) {
        if (!tree.has(key)) {
            errors.add(key, "is required");
            return false;
        }
        return tree.isMapping(key);
    }

    /** Whether {@code value} is there; its absence is reported unless the key was written (and reported) already. */
    boolean required(String key, Object value) {
        if (value == null && !tree.has(key)) {
            errors.add(key, "is required");
        }
        return value != null;
    }

    long range(String key, long value, long min, long max) {
        return range(key, value, min, max, value);
    }

    /**
     * @return {@code value}, or {@code fallback} when it is out of range (reported): for the settings
     *     records that refuse such a value themselves (the job is refused anyway)
     */
    long range(String key, long value, long min, long max, long fallback) {
        if (value < min || value > max) {
            errors.add(key, value + " is out of range [" + min + ", " + max + "]");
            return fallback;
        }
        return value;
    }

    private long size(String key, DataSize size, long min, long max) {
        if (size.toBytes() < min || size.toBytes() > max) {
            errors.add(key, "'" + tree.text(key) + "' is out of range [" + min + " bytes, " + max + " bytes]");
        }
        return size.toBytes();
    }

    Duration positive(String key, Duration d) {
        if (d.isNegative() || d.isZero()) {
            errors.add(key, "'" + tree.text(key) + "' must be positive");
        }
        return d;
    }

    /** An http(s) URL without credentials; the URL itself is never echoed when it may carry one. */
    URI httpUrl(String key, String url, String credentialsGoTo) {
        try {
            URI uri = URI.create(url);
            if (uri.getRawUserInfo() != null || url.contains("@")) {
                errors.add(key, "must not carry credentials; use " + credentialsGoTo);
                return null;
            }
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                errors.add(key, "'" + url + "' must be an http:// or https:// URL");
                return null;
            }
            return uri;
        } catch (IllegalArgumentException e) {
            errors.add(key, url.contains("@") ? "is not a URL" : "'" + url + "' is not a URL");
            return null;
        }
    }

    /** {@code <prefix>Env} or {@code <prefix>File} under {@code at}: exactly one of them. */
    SecretSource secretSource(String at, String prefix, String env, String file, boolean required) {
        String envKey = at + "." + prefix + "Env";
        if (env != null && file != null) {
            errors.add(envKey, "set " + prefix + "Env or " + prefix + "File, not both");
            return null;
        }
        if (env != null) {
            if (!ENV_NAME.matcher(env).matches()) {
                errors.add(envKey, "must be the NAME of an environment variable (upper-case letters, digits, underscore), not a value");
                return null;
            }
            return new SecretSource(envKey, env, null);
        }
        if (file != null) {
            return new SecretSource(at + "." + prefix + "File", null, base.resolve(file).toAbsolutePath());
        }
        if (required && !tree.has(envKey) && !tree.has(at + "." + prefix + "File")) {
            errors.add(envKey, "is required (or " + prefix + "File)");
        }
        return null;
    }
}
