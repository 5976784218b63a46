package io.mixpanelpipelines.storage.gcs;

import com.google.cloud.BaseServiceException;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.StorageOptions;
import io.mixpanelpipelines.storage.FileEntry;
import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.OutputFile;
import io.mixpanelpipelines.storage.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;

/**
 * Google Cloud Storage through google-cloud-storage, with Application Default Credentials. Files stream
 * into resumable uploads ({@link GcsOutputFile}); a move is a server-side rewrite then a delete. Retries
 * are the client library's own. Thread-safe.
 */
public final class GcsStorage implements Storage {

    private final GcsSettings settings;
    private volatile com.google.cloud.storage.Storage client;

    public GcsStorage(GcsSettings settings) {
        this.settings = settings;
    }

    /** For tests: a storage on a ready client (e.g. {@code LocalStorageHelper}'s fake). */
    public GcsStorage(GcsSettings settings, com.google.cloud.storage.Storage client) {
        this.settings = settings;
        this.client = client;
    }

    com.google.cloud.storage.Storage client() {
        com.google.cloud.storage.Storage c = client;
        if (c == null) {
            synchronized (this) {
                if (client == null) {
                    StorageOptions.Builder b = StorageOptions.newBuilder();
                    if (settings.projectId() != null) {
                        b.setProjectId(settings.projectId());
                    }
                    client = b.build().getService();
                }
                c = client;
            }
        }
        return c;
    }

    GcsSettings settings() {
        return settings;
    }

    @Override
    public OutputFile newOutputFile(Location location) {
        return new GcsOutputFile(this, check(location));
    }

    @Override
    public InputStream open(Location location) throws IOException {
        if (!exists(location)) {
            throw new NoSuchFileException(location.toString());
        }
        try {
            return Channels.newInputStream(client().reader(blobId(location)));
        } catch (BaseServiceException e) {
            throw failure("read", location, e);
        }
    }

    @Override
    public boolean exists(Location location) throws IOException {
        check(location);
        try {
            return client().get(blobId(location)) != null;
        } catch (BaseServiceException e) {
            throw failure("check", location, e);
        }
    }

    @Override
    public void delete(Location location) throws IOException {
        check(location);
        try {
            client().delete(blobId(location));
        } catch (BaseServiceException e) {
            throw failure("delete", location, e);
        }
    }

    @Override
    public List<FileEntry> list(Location prefix) throws IOException {
        check(prefix);
        String keyPrefix = prefix.key().isEmpty() ? "" : prefix.key() + "/";
        List<FileEntry> entries = new ArrayList<>();
        try {
            for (Blob b : client().list(prefix.bucket(), com.google.cloud.storage.Storage.BlobListOption.prefix(keyPrefix))
                    .iterateAll()) {
                if (!b.getName().endsWith("/")) {
                    entries.add(new FileEntry(Location.of("gs://" + prefix.bucket() + "/" + b.getName()), b.getSize()));
                }
            }
        } catch (BaseServiceException e) {
            throw failure("list", prefix, e);
        }
        return entries;
    }

    /** A server-side rewrite (the data never passes through this process), then a delete of the source. */
    @Override
    public void move(Location source, Location target) throws IOException {
        check(source);
        check(target);
        if (!exists(source)) {
            throw new NoSuchFileException(source.toString());
        }
        com.google.cloud.storage.Storage.CopyRequest.Builder copy = com.google.cloud.storage.Storage.CopyRequest.newBuilder()
                .setSource(blobId(source));
        if (settings.kmsKeyName() != null) {
            copy.setTarget(BlobInfo.newBuilder(blobId(target)).build(),
                    com.google.cloud.storage.Storage.BlobTargetOption.kmsKeyName(settings.kmsKeyName()));
        } else {
            copy.setTarget(blobId(target));
        }
        try {
            client().copy(copy.build()).getResult();
        } catch (BaseServiceException e) {
            throw failure("copy " + source + " to", target, e);
        }
        delete(source);
    }

    static BlobId blobId(Location location) {
        return BlobId.of(location.bucket(), location.key());
    }

    private static Location check(Location location) {
        if (location.scheme() != Location.Scheme.GS) {
            throw new IllegalArgumentException(location + " is not a gs:// location");
        }
        return location;
    }

    /** An IOException that names the bucket and what GCS said, never a credential. */
    static IOException failure(String action, Location location, Exception e) {
        String why = e instanceof BaseServiceException b ? "HTTP " + b.getCode() + (b.getReason() != null ? " " + b.getReason() : "")
                + ": " + b.getMessage() : e.getMessage();
        return new IOException("cannot " + action + " " + location + " (bucket '" + location.bucket() + "'): " + why, e);
    }
}
