package io.mixpanelpipelines.storage.gcs;

import com.google.cloud.storage.contrib.nio.testing.LocalStorageHelper;
import io.mixpanelpipelines.storage.AbstractStorageContractTests;
import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.Storage;
import java.util.UUID;

/**
 * The storage contract on GCS, against google-cloud-nio's in-memory fake ({@code LocalStorageHelper}).
 * The fake keeps objects in a map: it shows our key layout, listing, overwrite, copy and reading back.
 * It cannot show resumable-upload chunking on the wire, retries, IAM or credential errors, CMEK, or that
 * an unfinalized (aborted) upload stays invisible: the fake creates the object when the writer opens, so
 * that quirk is declared below; real GCS shows an object only once its upload is finalized.
 */
class GcsStorageContractTests extends AbstractStorageContractTests {

    private final GcsStorage storage = new GcsStorage(new GcsSettings(null, 256 << 10, null),
            LocalStorageHelper.getOptions().getService());
    private final Location root = Location.of("gs://test-bucket/contract-" + UUID.randomUUID());

    @Override
    protected Storage storage() {
        return storage;
    }

    @Override
    protected Location root() {
        return root;
    }

    @Override
    protected boolean unfinishedWritesAreInvisible() {
        return false; // a quirk of the fake, not of GCS
    }

    @Override
    protected int multiPartSize() {
        return 3 << 20;
    }
}
