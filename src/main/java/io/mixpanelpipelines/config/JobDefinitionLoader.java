package io.mixpanelpipelines.config;

import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.gcs.GcsSettings;
import io.mixpanelpipelines.storage.s3.S3Settings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.scheduling.support.CronExpression;
import org.springframework.util.unit.DataSize;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads and validates a job file. Every problem is reported at once, each with the path of its key
 * ({@code mixpanel.region: 'usa' is not one of us, eu, in}), before any request is made. Unknown keys are
 * refused so that a misspelt setting never silently falls back to its default. Thread-safe.
 */
public final class JobDefinitionLoader {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /**
     * Upper-case names only: the convention for environment variables, and a guard against a secret pasted
     * where its variable's name belongs (it would otherwise be echoed as "variable X is not set").
     */
    private static final Pattern ENV_NAME = Pattern.compile("[A-Z_][A-Z0-9_]{0,127}");
    private static final Duration MAX_TIMEOUT = Duration.ofHours(24);
    private static final Pattern DAYS_AGO = Pattern.compile("-(\\d{1,5})d");
    // a key given twice would silently lose its first value, like a misspelt key falling back to a default
    private static final YAMLMapper YAML = YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /** Loads a job file from disk. @throws InvalidJobException naming the file and every invalid key */
    public JobDefinition load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new InvalidJobException("job file " + file + " does not exist");
        } catch (IOException e) {
            throw new InvalidJobException("cannot read job file " + file + ": " + e.getMessage());
        }
        try {
            return parse(text);
        } catch (InvalidJobException e) {
            throw new InvalidJobException("job file " + file + " is invalid:\n" + e.getMessage());
        }
    }

    /** Parses job-file text. Relative paths in it are relative to the working directory. */
    public JobDefinition parse(String yaml) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JacksonException e) {
            throw new InvalidJobException("  - not valid YAML: " + firstLine(e.getOriginalMessage()));
        }
        Errors errors = new Errors();
        if (root == null || !root.isObject()) {
            errors.add("", "the job file must be a YAML mapping");
            throw errors.toException();
        }
        Node top = new Node(root, "", errors);
        top.allowOnly("name", "mixpanel", "export", "destination", "simulator", "warehouse");

        String name = top.requiredString("name");
        if (name != null && !NAME.matcher(name).matches()) {
            errors.add("name", "'" + name + "' must be 1-64 letters, digits, '.', '-' or '_', starting with a letter or digit");
        }
        JobDefinition.Simulator simulator = simulator(top.child("simulator", false));
        JobDefinition.Mixpanel mixpanel = mixpanel(top.child("mixpanel", true), simulator != null);
        JobDefinition.Export export = export(top.child("export", false), errors);
        JobDefinition.Destination destination = destination(top.child("destination", true));
        WarehouseSettings warehouse = warehouse(top.child("warehouse", false), destination);
        if (!errors.isEmpty()) {
            throw errors.toException();
        }
        return new JobDefinition(name, mixpanel, export, destination, simulator, warehouse);
    }

    private JobDefinition.Mixpanel mixpanel(Node node, boolean simulated) {
        if (node == null) {
            return null;
        }
        node.allowOnly("projectId", "region", "apiUrl", "timezone", "auth");
        String projectId = node.requiredString("projectId");
        if (projectId != null && !projectId.matches("\\d{1,20}")) {
            node.error("projectId", "'" + projectId + "' must be the numeric project id (quote it in YAML)");
        }
        Region region = node.enumValue("region", Region.class, Region.US);
        URI apiUrl = region == null ? null : region.exportHost();
        String url = node.optionalString("apiUrl");
        if (url != null) {
            // never echo the URL itself: it may carry credentials that do not belong there
            try {
                apiUrl = URI.create(url);
                if (apiUrl.getRawUserInfo() != null || url.contains("@")) {
                    node.error("apiUrl", "must not carry credentials; use mixpanel.auth");
                } else if (!("http".equals(apiUrl.getScheme()) || "https".equals(apiUrl.getScheme())) || apiUrl.getHost() == null) {
                    node.error("apiUrl", "'" + url + "' must be an http:// or https:// URL");
                }
            } catch (IllegalArgumentException e) {
                node.error("apiUrl", url.contains("@") ? "is not a URL" : "'" + url + "' is not a URL");
            }
        }
        ZoneId zone = ZoneId.of("UTC");
        String tz = node.optionalString("timezone");
        if (tz != null) {
            try {
                zone = ZoneId.of(tz);
            } catch (DateTimeException e) {
                node.error("timezone", "'" + tz + "' is not a timezone id such as UTC or America/New_York");
            }
        }
        JobDefinition.Auth auth = auth(node.child("auth", !simulated));
        return new JobDefinition.Mixpanel(projectId, region, apiUrl, zone, auth);
    }

    private JobDefinition.Auth auth(Node node) {
        if (node == null) {
            return null;
        }
        node.allowOnly("serviceAccount", "projectSecretEnv", "projectSecretFile");
        Node sa = node.child("serviceAccount", false);
        SecretSource projectSecret = node.secretSource("projectSecret", false);
        if (sa != null && projectSecret != null) {
            node.error("", "set either serviceAccount or projectSecretEnv/projectSecretFile, not both");
            return null;
        }
        if (sa == null && projectSecret == null) {
            node.error("", "set serviceAccount (usernameEnv/usernameFile and secretEnv/secretFile) or projectSecretEnv/projectSecretFile");
            return null;
        }
        if (sa != null) {
            sa.allowOnly("usernameEnv", "usernameFile", "secretEnv", "secretFile");
            SecretSource user = sa.secretSource("username", true);
            SecretSource secret = sa.secretSource("secret", true);
            return new JobDefinition.Auth(user, secret, null);
        }
        return new JobDefinition.Auth(null, null, projectSecret);
    }

    private JobDefinition.Export export(Node node, Errors errors) {
        Node n = node != null ? node : Node.empty("export", errors);
        n.allowOnly("startDate", "maxRejectedLines", "partSize", "parallelism", "connectTimeout", "readTimeout",
                "maxAttempts", "initialBackoff", "maxBackoff", "timeInMs", "compression", "spoolDir", "events",
                "requestsPerHour", "requestsPerSecond", "maxConcurrentRequests", "lookbackDays", "lookbackInterval", "daysPerRequest",
                "maxRequestSize", "schedule");
        LocalDate startDate = null;
        Integer daysAgo = null;
        String start = n.requiredString("startDate");
        if (start != null) {
            Matcher m = DAYS_AGO.matcher(start);
            if (m.matches()) {
                daysAgo = Integer.parseInt(m.group(1));
            } else {
                try {
                    startDate = LocalDate.parse(start);
                } catch (DateTimeParseException e) {
                    n.error("startDate", "'" + start + "' must be a date YYYY-MM-DD or a number of days back such as -7d");
                }
            }
        }
        long maxRejected = n.longValue("maxRejectedLines", 0, 0, Long.MAX_VALUE);
        long partSize = n.dataSize("partSize", DataSize.ofMegabytes(128), 1024, DataSize.ofGigabytes(4).toBytes());
        int parallelism = (int) n.longValue("parallelism", 2, 1, 64);
        Duration connect = n.duration("connectTimeout", Duration.ofSeconds(30));
        Duration read = n.duration("readTimeout", Duration.ofMinutes(10));
        for (String key : new String[] {"connectTimeout", "readTimeout"}) {
            if ((key.equals("readTimeout") ? read : connect).compareTo(MAX_TIMEOUT) > 0) {
                n.error(key, "must be at most 24h");
            }
        }
        int attempts = (int) n.longValue("maxAttempts", 5, 1, 100);
        Duration initialBackoff = n.duration("initialBackoff", Duration.ofSeconds(2));
        Duration maxBackoff = n.duration("maxBackoff", Duration.ofMinutes(2));
        boolean timeInMs = n.booleanValue("timeInMs", true);
        ParquetCodec codec = n.enumValue("compression", ParquetCodec.class, ParquetCodec.ZSTD);
        String spool = n.optionalString("spoolDir");
        Path spoolDir = Path.of(spool == null ? "data/spool" : spool);
        List<String> events = n.stringList("events");
        int perHour = (int) n.longValue("requestsPerHour", 50, 1, 60);
        int perSecond = (int) n.longValue("requestsPerSecond", 3, 1, 3);
        int concurrent = (int) n.longValue("maxConcurrentRequests", 4, 1, 100);
        int lookback = (int) n.longValue("lookbackDays", 5, 0, 30);
        Duration lookbackInterval = n.duration("lookbackInterval", Duration.ofHours(12));
        Integer daysPerRequest = null;
        String dpr = n.optionalString("daysPerRequest");
        if (dpr != null && !dpr.equalsIgnoreCase("adaptive")) {
            daysPerRequest = (int) n.longValue("daysPerRequest", 1, 1, JobDefinition.Export.MAX_DAYS_PER_REQUEST);
        }
        long maxRequest = n.dataSize("maxRequestSize", DataSize.ofGigabytes(2), 1024, DataSize.ofGigabytes(1024).toBytes());
        String schedule = n.optionalString("schedule");
        if (schedule != null && !CronExpression.isValidExpression(cron(schedule))) {
            n.error("schedule", "'" + schedule + "' is not a cron expression such as '30 * * * *' (minute hour day month weekday, "
                    + "optionally with seconds first)");
            schedule = null;
        }
        return new JobDefinition.Export(startDate, daysAgo, maxRejected, partSize, parallelism, connect, read, attempts,
                initialBackoff, maxBackoff, timeInMs, codec, spoolDir.toAbsolutePath().normalize(), events, perHour,
                perSecond, concurrent, lookback, daysPerRequest, maxRequest, cron(schedule), lookbackInterval);
    }

    /**
     * Spring's cron has six fields (seconds first); the five-field form of crontab and Kubernetes is
     * accepted too and runs at second 0.
     */
    static String cron(String schedule) {
        if (schedule == null) {
            return null;
        }
        return schedule.trim().split("\\s+").length == 5 && !schedule.startsWith("@") ? "0 " + schedule.trim() : schedule.trim();
    }

    private JobDefinition.Destination destination(Node node) {
        if (node == null) {
            return null;
        }
        node.allowOnly("uri", "s3", "gcs");
        S3Settings s3 = s3(node.child("s3", false));
        GcsSettings gcs = gcs(node.child("gcs", false));
        String uri = node.requiredString("uri");
        if (uri == null) {
            return null;
        }
        try {
            Location location = Location.of(uri);
            if (location.scheme() != Location.Scheme.FILE && location.bucket().isEmpty()) {
                node.error("uri", "'" + uri + "' names no bucket");
            }
            return new JobDefinition.Destination(location, s3, gcs);
        } catch (IllegalArgumentException e) {
            if (!uri.contains("://")) {
                // a plain path, relative to the working directory like every other path in a job file
                return new JobDefinition.Destination(Location.of(Path.of(uri)), s3, gcs);
            }
            node.error("uri", e.getMessage());
            return null;
        }
    }

    private S3Settings s3(Node node) {
        if (node == null) {
            return S3Settings.defaults();
        }
        node.allowOnly("region", "endpoint", "pathStyleAccess", "partSizeMb", "partsInFlight", "sse", "kmsKeyId",
                "storageClass");
        String region = node.optionalString("region");
        if (region != null && !region.matches("[a-z0-9-]{1,40}")) {
            node.error("region", "'" + region + "' is not a region such as us-east-1");
        }
        URI endpoint = null;
        String url = node.optionalString("endpoint");
        if (url != null) {
            try {
                endpoint = URI.create(url);
                if (endpoint.getRawUserInfo() != null || url.contains("@")) {
                    node.error("endpoint", "must not carry credentials; use the AWS credentials chain");
                    endpoint = null;
                } else if (!("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme())) || endpoint.getHost() == null) {
                    node.error("endpoint", "'" + url + "' must be an http:// or https:// URL");
                    endpoint = null;
                }
            } catch (IllegalArgumentException e) {
                node.error("endpoint", url.contains("@") ? "is not a URL" : "'" + url + "' is not a URL");
            }
        }
        boolean pathStyle = node.booleanValue("pathStyleAccess", false);
        long partMb = node.longValue("partSizeMb", S3Settings.DEFAULT_PART_SIZE >> 20, 5, 1024);
        int inFlight = (int) node.longValue("partsInFlight", S3Settings.DEFAULT_PARTS_IN_FLIGHT, 1, 16);
        String sse = node.optionalString("sse");
        if (sse != null && !sse.equals("AES256") && !sse.equals("aws:kms")) {
            node.error("sse", "'" + sse + "' is not one of AES256, aws:kms");
            sse = null;
        }
        String kmsKeyId = node.optionalString("kmsKeyId");
        if (kmsKeyId != null && !"aws:kms".equals(sse)) {
            node.error("kmsKeyId", "needs sse: aws:kms");
        }
        String storageClass = node.optionalString("storageClass");
        if (storageClass != null && !storageClass.matches("[A-Z_]{1,40}")) {
            node.error("storageClass", "'" + storageClass + "' is not a storage class such as STANDARD_IA");
        }
        return new S3Settings(region, endpoint, pathStyle, partMb << 20, inFlight, sse, kmsKeyId, storageClass);
    }

    private GcsSettings gcs(Node node) {
        if (node == null) {
            return GcsSettings.defaults();
        }
        node.allowOnly("projectId", "chunkSizeMb", "kmsKeyName");
        String projectId = node.optionalString("projectId");
        long chunkMb = node.longValue("chunkSizeMb", GcsSettings.DEFAULT_CHUNK_SIZE >> 20, 1, 1024);
        String kmsKeyName = node.optionalString("kmsKeyName");
        if (kmsKeyName != null && !kmsKeyName.startsWith("projects/")) {
            node.error("kmsKeyName", "'" + kmsKeyName + "' must be a key's resource name: projects/.../locations/.../keyRings/.../cryptoKeys/...");
        }
        return new GcsSettings(projectId, (int) (chunkMb << 20), kmsKeyName);
    }

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,39}");

    private WarehouseSettings warehouse(Node node, JobDefinition.Destination destination) {
        if (node == null) {
            return null;
        }
        node.allowOnly("type", "url", "usernameEnv", "usernameFile", "passwordEnv", "passwordFile", "table",
                "projectId", "stage", "iamRole");
        WarehouseType type = node.enumValue("type", WarehouseType.class, null);
        if (type == null && !node.json.has("type")) {
            node.error("type", "is required (postgresql, duckdb, bigquery, snowflake or redshift)");
        }
        String url = node.optionalString("url");
        if (type != null && type != WarehouseType.BIGQUERY) {
            String prefix = "jdbc:" + type.name().toLowerCase(Locale.ROOT) + ":";
            if (url == null) {
                node.error("url", "is required for " + type.name().toLowerCase(Locale.ROOT) + " (" + prefix + "...)");
            } else if (!url.startsWith(prefix)) {
                node.error("url", "must start with " + prefix);
            } else if (url.contains("password=") || url.contains("@")) {
                // never echo the URL: it may carry the very credential that does not belong there
                node.error("url", "must not carry credentials; use passwordEnv or passwordFile");
            }
        } else if (type == WarehouseType.BIGQUERY && url != null) {
            node.error("url", "is not used by bigquery (set projectId; credentials are Application Default Credentials)");
        }
        SecretSource user = node.secretSource("username", false);
        SecretSource password = node.secretSource("password", false);
        if ((type == WarehouseType.DUCKDB || type == WarehouseType.BIGQUERY) && (user != null || password != null)) {
            node.error("usernameEnv", "is not used by " + type.name().toLowerCase(Locale.ROOT));
        }
        String schema = null;
        String table = null;
        String qualified = node.requiredString("table");
        if (qualified != null) {
            String[] parts = qualified.split("\\.", -1);
            if (parts.length != 2 || !IDENTIFIER.matcher(parts[0]).matches() || !IDENTIFIER.matcher(parts[1]).matches()) {
                node.error("table", "'" + qualified + "' must be schema.table (letters, digits and _, at most 40 each)");
            } else {
                schema = parts[0];
                table = parts[1];
            }
        }
        String projectId = node.optionalString("projectId");
        String stage = node.optionalString("stage");
        String iamRole = node.optionalString("iamRole");
        if (projectId != null && type != WarehouseType.BIGQUERY) {
            node.error("projectId", "is only used by bigquery");
        }
        if (type == WarehouseType.SNOWFLAKE && (stage == null || !stage.matches("[A-Za-z_][A-Za-z0-9_.$]{0,200}"))) {
            node.error("stage", stage == null ? "is required for snowflake: the external stage over destination.uri"
                    : "'" + stage + "' is not a stage name such as analytics.mixpanel.events_stage");
        } else if (stage != null && type != WarehouseType.SNOWFLAKE) {
            node.error("stage", "is only used by snowflake");
        }
        if (type == WarehouseType.REDSHIFT && (iamRole == null || !iamRole.startsWith("arn:aws"))) {
            node.error("iamRole", iamRole == null ? "is required for redshift: the role ARN Redshift assumes to read the bucket"
                    : "'" + iamRole + "' is not a role ARN (arn:aws:iam::...:role/...)");
        } else if (iamRole != null && type != WarehouseType.REDSHIFT) {
            node.error("iamRole", "is only used by redshift");
        }
        if (destination != null && destination.uri() != null && type != null) {
            Location.Scheme scheme = destination.uri().scheme();
            if (type == WarehouseType.BIGQUERY && scheme != Location.Scheme.GS) {
                node.error("type", "bigquery loads from gs:// only; destination.uri is " + scheme.name().toLowerCase(Locale.ROOT));
            } else if (type == WarehouseType.REDSHIFT && scheme != Location.Scheme.S3) {
                node.error("type", "redshift loads from s3:// only; destination.uri is " + scheme.name().toLowerCase(Locale.ROOT));
            } else if (type == WarehouseType.SNOWFLAKE && scheme == Location.Scheme.FILE) {
                node.error("type", "snowflake loads from s3:// or gs:// through its stage; destination.uri is on local disk");
            }
        }
        return new WarehouseSettings(type, url, user, password, schema, table, projectId, stage, iamRole);
    }

    private JobDefinition.Simulator simulator(Node node) {
        if (node == null) {
            return null;
        }
        node.allowOnly("eventsPerDay", "seed");
        long perDay = node.longValue("eventsPerDay", 2000, 0, 100_000_000);
        long seed = node.longValue("seed", 1, Long.MIN_VALUE, Long.MAX_VALUE);
        return new JobDefinition.Simulator(perDay, seed);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Collected problems, reported together. */
    private static final class Errors {
        private final List<String> messages = new ArrayList<>();

        void add(String path, String message) {
            messages.add("  - " + (path.isEmpty() ? "" : path + ": ") + message);
        }

        boolean isEmpty() {
            return messages.isEmpty();
        }

        InvalidJobException toException() {
            return new InvalidJobException(String.join("\n", messages));
        }
    }

    /** A mapping in the job file, with its dotted path for messages. */
    private static final class Node {
        private final JsonNode json;
        private final String path;
        private final Errors errors;

        Node(JsonNode json, String path, Errors errors) {
            this.json = json;
            this.path = path;
            this.errors = errors;
        }

        static Node empty(String path, Errors errors) {
            return new Node(YAML.createObjectNode(), path, errors);
        }

        String key(String name) {
            return path.isEmpty() ? name : name.isEmpty() ? path : path + "." + name;
        }

        void error(String name, String message) {
            errors.add(key(name), message);
        }

        void allowOnly(String... names) {
            Set<String> allowed = Set.of(names);
            for (String k : json.propertyNames()) {
                if (!allowed.contains(k)) {
                    error(k, "unknown key (allowed here: " + String.join(", ", names) + ")");
                }
            }
        }

        Node child(String name, boolean required) {
            JsonNode c = json.get(name);
            if (c == null || c.isNull()) {
                if (required) {
                    error(name, "is required");
                }
                return null;
            }
            if (!c.isObject()) {
                error(name, "must be a mapping");
                return null;
            }
            return new Node(c, key(name), errors);
        }

        String optionalString(String name) {
            JsonNode v = json.get(name);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isValueNode() || v.isBoolean()) {
                error(name, "must be a single value");
                return null;
            }
            String s = v.asString().strip();
            if (s.isEmpty()) {
                error(name, "must not be empty");
                return null;
            }
            return s;
        }

        String requiredString(String name) {
            JsonNode v = json.get(name);
            if (v == null || v.isNull()) {
                error(name, "is required");
                return null;
            }
            return optionalString(name);
        }

        long longValue(String name, long dflt, long min, long max) {
            JsonNode v = json.get(name);
            if (v == null || v.isNull()) {
                return dflt;
            }
            if (!v.isValueNode()) {
                error(name, "must be a whole number");
                return dflt;
            }
            long value;
            if (v.isIntegralNumber() && v.canConvertToLong()) {
                value = v.longValue();
            } else {
                try {
                    value = Long.parseLong(v.asString().strip());
                } catch (NumberFormatException e) {
                    error(name, "'" + v.asString() + "' is not a whole number");
                    return dflt;
                }
            }
            if (value < min || value > max) {
                error(name, value + " is out of range [" + min + ", " + max + "]");
                return dflt;
            }
            return value;
        }

        boolean booleanValue(String name, boolean dflt) {
            JsonNode v = json.get(name);
            if (v == null || v.isNull()) {
                return dflt;
            }
            if (v.isBoolean()) {
                return v.booleanValue();
            }
            error(name, (v.isValueNode() ? "'" + v.asString() + "' " : "") + "must be true or false");
            return dflt;
        }

        <E extends Enum<E>> E enumValue(String name, Class<E> type, E dflt) {
            String s = optionalString(name);
            if (s == null) {
                return json.has(name) && !json.get(name).isNull() ? null : dflt;
            }
            for (E e : type.getEnumConstants()) {
                if (e.name().equalsIgnoreCase(s)) {
                    return e;
                }
            }
            List<String> names = new ArrayList<>();
            for (E e : type.getEnumConstants()) {
                names.add(e.name().toLowerCase(Locale.ROOT));
            }
            error(name, "'" + s + "' is not one of " + String.join(", ", names));
            return null;
        }

        Duration duration(String name, Duration dflt) {
            String s = optionalString(name);
            if (s == null) {
                return dflt;
            }
            try {
                Duration d = org.springframework.boot.convert.DurationStyle.detectAndParse(s);
                if (d.isNegative() || d.isZero()) {
                    error(name, "'" + s + "' must be positive");
                    return dflt;
                }
                return d;
            } catch (IllegalArgumentException e) {
                error(name, "'" + s + "' is not a duration such as 500ms, 30s or 10m");
                return dflt;
            }
        }

        long dataSize(String name, DataSize dflt, long min, long max) {
            String s = optionalString(name);
            if (s == null) {
                return dflt.toBytes();
            }
            try {
                long bytes = DataSize.parse(s.toUpperCase(Locale.ROOT).replace(" ", "")).toBytes();
                if (bytes < min || bytes > max) {
                    error(name, "'" + s + "' is out of range [" + min + " bytes, " + max + " bytes]");
                    return dflt.toBytes();
                }
                return bytes;
            } catch (IllegalArgumentException e) {
                error(name, "'" + s + "' is not a size such as 512KB, 128MB or 1GB");
                return dflt.toBytes();
            }
        }

        List<String> stringList(String name) {
            JsonNode v = json.get(name);
            if (v == null || v.isNull()) {
                return List.of();
            }
            if (!v.isArray()) {
                error(name, "must be a list of event names");
                return List.of();
            }
            List<String> out = new ArrayList<>();
            for (JsonNode item : v) {
                if (!item.isString() || item.asString().isEmpty()) {
                    error(name, "must contain only non-empty event names");
                    return List.of();
                }
                out.add(item.asString());
            }
            return List.copyOf(out);
        }

        /** Reads {@code <prefix>Env} or {@code <prefix>File}: exactly one of them. */
        SecretSource secretSource(String prefix, boolean required) {
            String env = optionalString(prefix + "Env");
            String file = optionalString(prefix + "File");
            if (env != null && file != null) {
                error(prefix + "Env", "set " + prefix + "Env or " + prefix + "File, not both");
                return null;
            }
            if (env != null) {
                if (!ENV_NAME.matcher(env).matches()) {
                    error(prefix + "Env", "must be the NAME of an environment variable (upper-case letters, digits, underscore), not a value");
                    return null;
                }
                return new SecretSource(key(prefix + "Env"), env, null);
            }
            if (file != null) {
                Path p = Path.of(file);
                return new SecretSource(key(prefix + "File"), null, p.toAbsolutePath());
            }
            if (required) {
                error(prefix + "Env", "is required (or " + prefix + "File)");
            }
            return null;
        }
    }

    /** For tests and tools: the environment of this process. */
    public static Map<String, String> systemEnvironment() {
        return System.getenv();
    }
}
