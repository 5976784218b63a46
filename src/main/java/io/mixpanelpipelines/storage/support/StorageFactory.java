package io.mixpanelpipelines.storage.support;

import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.Storage;
import io.mixpanelpipelines.storage.gcs.GcsSettings;
import io.mixpanelpipelines.storage.gcs.GcsStorage;
import io.mixpanelpipelines.storage.local.LocalStorage;
import io.mixpanelpipelines.storage.s3.S3Settings;
import io.mixpanelpipelines.storage.s3.S3Storage;

/** The one place that picks a backend for a location's scheme. */
public final class StorageFactory {

    private StorageFactory() {
    }

    /**
     * The storage for {@code root}. Object-store clients are built lazily, so a missing region, bad
     * credentials or a missing bucket surface on the first request (the destination check), not here.
     */
    public static Storage create(Location root, S3Settings s3, GcsSettings gcs) {
        return switch (root.scheme()) {
            case FILE -> new LocalStorage();
            case S3 -> new S3Storage(s3 != null ? s3 : S3Settings.defaults());
            case GS -> new GcsStorage(gcs != null ? gcs : GcsSettings.defaults());
        };
    }
}
