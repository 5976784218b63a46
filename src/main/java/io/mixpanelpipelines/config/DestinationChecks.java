package io.mixpanelpipelines.config;

import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.gcs.GcsSettings;
import io.mixpanelpipelines.storage.s3.S3Settings;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The {@code destination:} and {@code warehouse:} sections' checks, part of {@link JobFileChecks}: object
 * store settings, the warehouse's keys (which depend on its type) and whether the warehouse can load from
 * the destination. Never echoes a URL that may carry a credential.
 */
final class DestinationChecks {

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,39}");

    private final JobFileChecks c;
    private final JobFileErrors errors;

    DestinationChecks(JobFileChecks checks) {
        this.c = checks;
        this.errors = checks.errors;
    }

    JobDefinition.Destination destination(JobFile.Destination d) {
        S3Settings s3 = s3(d.s3());
        GcsSettings gcs = gcs(d.gcs());
        String uri = d.uri();
        if (!c.required("destination.uri", uri)) {
            return null;
        }
        if (!uri.contains("://")) {
            // a plain path, relative to the job file's folder like every other path in a job file
            return new JobDefinition.Destination(Location.of(c.base.resolve(uri)), s3, gcs);
        }
        try {
            Location location = Location.of(uri);
            if (location.scheme() != Location.Scheme.FILE && location.bucket().isEmpty()) {
                errors.add("destination.uri", "'" + uri + "' names no bucket");
            }
            return new JobDefinition.Destination(location, s3, gcs);
        } catch (IllegalArgumentException e) {
            errors.add("destination.uri", e.getMessage());
            return null;
        }
    }

    private S3Settings s3(JobFile.S3 s) {
        if (s.region() != null && !s.region().matches("[a-z0-9-]{1,40}")) {
            errors.add("destination.s3.region", "'" + s.region() + "' is not a region such as us-east-1");
        }
        URI endpoint = s.endpoint() == null ? null
                : c.httpUrl("destination.s3.endpoint", s.endpoint(), "the AWS credentials chain");
        long partMb = c.range("destination.s3.partSizeMb", s.partSizeMb(), 5, 1024, S3Settings.DEFAULT_PART_SIZE >> 20);
        int inFlight = (int) c.range("destination.s3.partsInFlight", s.partsInFlight(), 1, 16, S3Settings.DEFAULT_PARTS_IN_FLIGHT);
        String sse = s.sse();
        if (sse != null && !sse.equals("AES256") && !sse.equals("aws:kms")) {
            errors.add("destination.s3.sse", "'" + sse + "' is not one of AES256, aws:kms");
        }
        if (s.kmsKeyId() != null && !"aws:kms".equals(sse)) {
            errors.add("destination.s3.kmsKeyId", "needs sse: aws:kms");
        }
        if (s.storageClass() != null && !s.storageClass().matches("[A-Z_]{1,40}")) {
            errors.add("destination.s3.storageClass", "'" + s.storageClass() + "' is not a storage class such as STANDARD_IA");
        }
        return new S3Settings(s.region(), endpoint, s.pathStyleAccess(), partMb << 20, inFlight, sse, s.kmsKeyId(),
                s.storageClass());
    }

    private GcsSettings gcs(JobFile.Gcs g) {
        long chunkMb = c.range("destination.gcs.chunkSizeMb", g.chunkSizeMb(), 1, 1024, GcsSettings.DEFAULT_CHUNK_SIZE >> 20);
        if (g.kmsKeyName() != null && !g.kmsKeyName().startsWith("projects/")) {
            errors.add("destination.gcs.kmsKeyName", "'" + g.kmsKeyName()
                    + "' must be a key's resource name: projects/.../locations/.../keyRings/.../cryptoKeys/...");
        }
        return new GcsSettings(g.projectId(), (int) (chunkMb << 20), g.kmsKeyName());
    }

    WarehouseSettings warehouse(JobFile.Warehouse w, JobDefinition.Destination destination) {
        WarehouseType type = w.type();
        if (type == null && !c.tree.has("warehouse.type")) {
            errors.add("warehouse.type", "is required (postgresql, duckdb, bigquery, snowflake or redshift)");
        }
        String name = type == null ? null : type.name().toLowerCase(Locale.ROOT);
        String url = w.url();
        if (type != null && type != WarehouseType.BIGQUERY) {
            String prefix = "jdbc:" + name + ":";
            if (url == null) {
                errors.add("warehouse.url", "is required for " + name + " (" + prefix + "...)");
            } else if (!url.startsWith(prefix)) {
                errors.add("warehouse.url", "must start with " + prefix);
            } else if (url.contains("password=") || url.contains("@")) {
                // never echo the URL: it may carry the very credential that does not belong there
                errors.add("warehouse.url", "must not carry credentials; use passwordEnv or passwordFile");
            } else if (type == WarehouseType.DUCKDB) {
                url = duckDbFile(url);
            }
        } else if (type == WarehouseType.BIGQUERY && url != null) {
            errors.add("warehouse.url", "is not used by bigquery (set projectId; credentials are Application Default Credentials)");
        }
        SecretSource user = c.secretSource("warehouse", "username", w.usernameEnv(), w.usernameFile(), false);
        SecretSource password = c.secretSource("warehouse", "password", w.passwordEnv(), w.passwordFile(), false);
        if ((type == WarehouseType.DUCKDB || type == WarehouseType.BIGQUERY) && (user != null || password != null)) {
            errors.add("warehouse.usernameEnv", "is not used by " + name);
        }
        String schema = null;
        String table = null;
        if (c.required("warehouse.table", w.table())) {
            String[] parts = w.table().split("\\.", -1);
            if (parts.length != 2 || !IDENTIFIER.matcher(parts[0]).matches() || !IDENTIFIER.matcher(parts[1]).matches()) {
                errors.add("warehouse.table", "'" + w.table() + "' must be schema.table (letters, digits and _, at most 40 each)");
            } else {
                schema = parts[0];
                table = parts[1];
            }
        }
        typeSpecific(w, type);
        if (destination != null && destination.uri() != null && type != null) {
            Location.Scheme scheme = destination.uri().scheme();
            String where = scheme.name().toLowerCase(Locale.ROOT);
            if (type == WarehouseType.BIGQUERY && scheme != Location.Scheme.GS) {
                errors.add("warehouse.type", "bigquery loads from gs:// only; destination.uri is " + where);
            } else if (type == WarehouseType.REDSHIFT && scheme != Location.Scheme.S3) {
                errors.add("warehouse.type", "redshift loads from s3:// only; destination.uri is " + where);
            } else if (type == WarehouseType.SNOWFLAKE && scheme == Location.Scheme.FILE) {
                errors.add("warehouse.type", "snowflake loads from s3:// or gs:// through its stage; destination.uri is on local disk");
            }
        }
        return new WarehouseSettings(type, url, user, password, schema, table, w.projectId(), w.stage(), w.iamRole());
    }

    /** {@code projectId}, {@code stage} and {@code iamRole}: each belongs to one warehouse. */
    private void typeSpecific(JobFile.Warehouse w, WarehouseType type) {
        String stage = w.stage();
        String iamRole = w.iamRole();
        if (w.projectId() != null && type != WarehouseType.BIGQUERY) {
            errors.add("warehouse.projectId", "is only used by bigquery");
        }
        if (type == WarehouseType.SNOWFLAKE && (stage == null || !stage.matches("[A-Za-z_][A-Za-z0-9_.$]{0,200}"))) {
            errors.add("warehouse.stage", stage == null ? "is required for snowflake: the external stage over destination.uri"
                    : "'" + stage + "' is not a stage name such as analytics.mixpanel.events_stage");
        } else if (stage != null && type != WarehouseType.SNOWFLAKE) {
            errors.add("warehouse.stage", "is only used by snowflake");
        }
        if (type == WarehouseType.REDSHIFT && (iamRole == null || !iamRole.startsWith("arn:aws"))) {
            errors.add("warehouse.iamRole", iamRole == null ? "is required for redshift: the role ARN Redshift assumes to read the bucket"
                    : "'" + iamRole + "' is not a role ARN (arn:aws:iam::...:role/...)");
        } else if (iamRole != null && type != WarehouseType.REDSHIFT) {
            errors.add("warehouse.iamRole", "is only used by redshift");
        }
    }

    /**
     * A DuckDB file named by a relative path is in the job file's folder, like every other path of a job
     * file; {@code :memory:}, MotherDuck ({@code md:}) and URL options are left as written.
     */
    private String duckDbFile(String url) {
        String file = url.substring("jdbc:duckdb:".length());
        if (file.isEmpty() || file.startsWith(":") || file.startsWith("md:") || file.contains("?") || Path.of(file).isAbsolute()) {
            return url;
        }
        return "jdbc:duckdb:" + c.base.resolve(file).normalize();
    }
}
