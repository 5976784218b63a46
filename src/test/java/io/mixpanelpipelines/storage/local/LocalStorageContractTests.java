package io.mixpanelpipelines.storage.local;

import io.mixpanelpipelines.storage.AbstractStorageContractTests;
import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.Storage;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
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

    @Test
    void deleteAbandonedRemovesOnlyTheTemporaryFilesOfKilledWriters() throws Exception {
        Path day = Files.createDirectories(dir.resolve("root/_staging/events/event_date=2026-01-01"));
        Files.writeString(day.resolve(LocalStorage.TEMP_PREFIX + "1234-part-00001.parquet"), "half a part");
        Files.writeString(day.resolve("part-00000.parquet"), "a closed part");
        Files.writeString(dir.resolve("root/" + LocalStorage.TEMP_PREFIX + "outside"), "not below the prefix");

        storage.deleteAbandoned(Location.of(dir.resolve("root/_staging")));
        storage.deleteAbandoned(Location.of(dir.resolve("root/missing")));

        try (Stream<Path> left = Files.list(day)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("part-00000.parquet");
        }
        assertThat(dir.resolve("root/" + LocalStorage.TEMP_PREFIX + "outside")).exists();
    }
}
