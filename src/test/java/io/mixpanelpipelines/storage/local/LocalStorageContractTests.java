package io.mixpanelpipelines.storage.local;

import io.mixpanelpipelines.storage.AbstractStorageContractTests;
import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.Storage;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The storage contract on local disk. */
class LocalStorageContractTests extends AbstractStorageContractTests {

    @TempDir
    Path dir;
    private final LocalStorage storage = new LocalStorage();

    @Override
    protected Storage storage() {
        return storage;
    }

    @Override
    protected Location root() {
        return Location.of(dir.resolve("root"));
    }

    @Override
    protected int multiPartSize() {
        return 3 << 20;
    }
}
