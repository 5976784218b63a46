package io.mixpanelpipelines.storage.s3;

import io.mixpanelpipelines.storage.FileEntry;
import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.OutputFile;
import io.mixpanelpipelines.storage.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * Amazon S3 and S3-compatible stores through AWS SDK v2. Files stream into multipart uploads
 * ({@link S3OutputFile}); a move is a server-side copy then a delete. Retries are the SDK's own (its
 * standard strategy: throttling such as 503 SlowDown, 5xx and connection errors), never an outer loop.
 * Thread-safe.
 */
public final class S3Storage implements Storage {

    private static final AtomicInteger THREADS = new AtomicInteger();

    private final S3Settings settings;
    private final ExecutorService uploads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "s3-upload-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });
    private volatile S3Client client;

    public S3Storage(S3Settings settings) {
        this.settings = settings;
    }

    /** For tests: a storage on a ready client. */
    public S3Storage(S3Settings settings, S3Client client) {
        this.settings = settings;
        this.client = client;
    }

    S3Client client() {
        S3Client c = client;
        if (c == null) {
            synchronized (this) {
                if (client == null) {
                    client = buildClient(settings);
                }
                c = client;
            }
        }
        return c;
    }

    /** The client for these settings, with the default credentials chain (nothing secret is read here). */
    public static S3Client buildClient(S3Settings settings) {
        S3ClientBuilder b = S3Client.builder()
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .httpClientBuilder(ApacheHttpClient.builder().maxConnections(32))
                .forcePathStyle(settings.pathStyleAccess());
        if (settings.region() != null) {
            b.region(Region.of(settings.region()));
        } else {
            Region region;
            try {
                region = DefaultAwsRegionProviderChain.builder().build().getRegion();
            } catch (SdkException e) {
                region = Region.US_EAST_1;
            }
            b.region(region).crossRegionAccessEnabled(settings.endpoint() == null);
        }
        if (settings.endpoint() != null) {
            // S3-compatible stores differ in their support of the newer flexible checksums
            b.endpointOverride(settings.endpoint())
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        }
        return b.build();
    }

    S3Settings settings() {
        return settings;
    }

    ExecutorService uploads() {
        return uploads;
    }

    @Override
    public OutputFile newOutputFile(Location location) {
        return new S3OutputFile(this, check(location));
    }

    @Override
    public InputStream open(Location location) throws IOException {
        check(location);
        try {
            return client().getObject(r -> r.bucket(location.bucket()).key(location.key()));
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException(location.toString());
        } catch (SdkException e) {
            throw failure("read", location, e);
        }
    }

    @Override
    public boolean exists(Location location) throws IOException {
        check(location);
        try {
            client().headObject(r -> r.bucket(location.bucket()).key(location.key()));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404 && !"NoSuchBucket".equals(errorCode(e))) {
                return false;
            }
            throw failure("check", location, e);
        } catch (SdkException e) {
            throw failure("check", location, e);
        }
    }

    @Override
    public void delete(Location location) throws IOException {
        check(location);
        try {
            client().deleteObject(r -> r.bucket(location.bucket()).key(location.key()));
        } catch (SdkException e) {
            throw failure("delete", location, e);
        }
    }

    @Override
    public List<FileEntry> list(Location prefix) throws IOException {
        check(prefix);
        String keyPrefix = prefix.key().isEmpty() ? "" : prefix.key() + "/";
        List<FileEntry> entries = new ArrayList<>();
        try {
            for (S3Object o : client().listObjectsV2Paginator(r -> r.bucket(prefix.bucket()).prefix(keyPrefix)).contents()) {
                if (o.key().endsWith("/")) {
                    continue; // a "folder" marker (the S3 console's, or a filesystem-backed server's), not a file
                }
                entries.add(new FileEntry(Location.of("s3://" + prefix.bucket() + "/" + o.key()), o.size()));
            }
        } catch (SdkException e) {
            throw failure("list", prefix, e);
        }
        return entries;
    }

    /** A server-side copy (the data never passes through this process), then a delete of the source. */
    @Override
    public void move(Location source, Location target) throws IOException {
        check(source);
        check(target);
        CopyObjectRequest.Builder copy = CopyObjectRequest.builder()
                .sourceBucket(source.bucket()).sourceKey(source.key())
                .destinationBucket(target.bucket()).destinationKey(target.key());
        if (settings.sse() != null) {
            copy.serverSideEncryption(ServerSideEncryption.fromValue(settings.sse())).ssekmsKeyId(settings.kmsKeyId());
        }
        if (settings.storageClass() != null) {
            copy.storageClass(settings.storageClass());
        }
        try {
            client().copyObject(copy.build());
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException(source.toString());
        } catch (SdkException e) {
            throw failure("copy " + source + " to", target, e);
        }
        delete(source);
    }

    private static Location check(Location location) {
        if (location.scheme() != Location.Scheme.S3) {
            throw new IllegalArgumentException(location + " is not an s3:// location");
        }
        return location;
    }

    static String errorCode(S3Exception e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    /** An IOException that names the bucket and what S3 said, never a credential. */
    static IOException failure(String action, Location location, SdkException e) {
        String why;
        if (e instanceof S3Exception s3) {
            String code = errorCode(s3);
            why = "HTTP " + s3.statusCode() + (code != null ? " " + code : "")
                    + (s3.awsErrorDetails() != null && s3.awsErrorDetails().errorMessage() != null
                            ? ": " + s3.awsErrorDetails().errorMessage() : "");
        } else {
            why = e.getMessage();
        }
        return new IOException("cannot " + action + " " + location + " (bucket '" + location.bucket() + "'): " + why, e);
    }
}
