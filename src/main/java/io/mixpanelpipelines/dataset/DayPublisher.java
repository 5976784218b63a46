package io.mixpanelpipelines.dataset;

import io.mixpanelpipelines.storage.FileEntry;
import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.PositionOutputStream;
import io.mixpanelpipelines.storage.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Publishes a day: moves its closed parts from staging into the day's folder, writes the {@code _SUCCESS}
 * manifest last, then deletes every file of the folder the manifest does not name. Idempotent: publishing
 * the same parts again (after a crash half-way) ends in the same folder. Thread-safe.
 */
public final class DayPublisher {

    /**
     * Counts added to the manifest later ({@code repairedLines}) are absent from manifests written before:
     * they read as 0 rather than failing every read of an older day.
     */
    static final JsonMapper JSON = JsonMapper.builder().findAndAddModules()
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES).build();

    private final Storage storage;
    private final DatasetLayout layout;

    public DayPublisher(Storage storage, DatasetLayout layout) {
        this.storage = storage;
        this.layout = layout;
    }

    public void publish(DayManifest manifest) throws IOException {
        LocalDate day = manifest.eventDate();
        Location staging = layout.staging(day);
        Location target = layout.day(day);
        Set<String> names = new HashSet<>();
        for (PartInfo part : manifest.files()) {
            names.add(part.name());
            Location from = staging.resolve(part.name());
            Location to = target.resolve(part.name());
            if (storage.exists(from)) {
                storage.move(from, to);
            } else if (!storage.exists(to)) {
                throw new NoSuchFileException(from + " (part of " + day + " is neither staged nor published)");
            }
        }
        PositionOutputStream out = storage.newOutputFile(layout.manifest(day)).create();
        try {
            out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
            out.close();
        } catch (IOException | RuntimeException e) {
            out.abort();
            throw e;
        }
        for (FileEntry f : storage.list(target)) {
            String name = f.location().fileName();
            if (!names.contains(name) && !name.equals(DatasetLayout.MANIFEST)) {
                storage.delete(f.location());
            }
        }
        for (FileEntry f : storage.list(staging)) {
            storage.delete(f.location());
        }
        // an empty _staging/events/event_date=... folder after every publish is clutter that looks like a failure;
        // _staging/events stays: another day's writer may be creating its folder in it right now
        storage.deleteEmptyFolders(staging, layout.root().resolve(layout.projectId(), "_staging", "events"));
    }

    /** The manifest of a published day, if there is one. */
    public Optional<DayManifest> read(LocalDate day) throws IOException {
        Location m = layout.manifest(day);
        if (!storage.exists(m)) {
            return Optional.empty();
        }
        try (InputStream in = storage.open(m)) {
            return Optional.of(JSON.readValue(in, DayManifest.class));
        }
    }

    public DatasetLayout layout() {
        return layout;
    }
}
