package io.mixpanelpipelines.source;

import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.PositionOutputStream;
import io.mixpanelpipelines.storage.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The copy of a complete spool in shared storage ({@code export.spoolUri}), for remote workers: whichever
 * worker (or the manager) received a body uploads it once it is complete, and any other worker that is
 * given the day downloads it instead of requesting it again. Layout under the spool's location: {@code body},
 * then {@code complete.json} written last, so a copy without its manifest is never trusted (an upload cut by
 * a killed process is simply not complete). Stateless apart from where it points; thread-safe as its storage.
 */
public final class SharedSpool {

    static final String BODY = "body";
    static final String MANIFEST = "complete.json";

    private final Storage storage;
    private final Location location;

    /** @param location the spool's folder in shared storage: {@code <spoolUri>/<job>/<from>_<to>} */
    public SharedSpool(Storage storage, Location location) {
        this.storage = storage;
        this.location = location;
    }

    /** Whether the shared copy is complete (its manifest was written). */
    public boolean isComplete() throws IOException {
        return storage.exists(location.resolve(MANIFEST));
    }

    /** Uploads a complete local spool folder: the body first, the manifest last. */
    public void upload(Path dir) throws IOException {
        copy(dir.resolve(BODY), location.resolve(BODY));
        copy(dir.resolve(MANIFEST), location.resolve(MANIFEST));
    }

    /**
     * Downloads the shared copy into the local folder {@code dir}: the body under a temporary name, renamed
     * into place, then the manifest, so the local spool is complete only once both are there.
     */
    public void download(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve(MANIFEST));
        Path part = dir.resolve(BODY + ".download");
        try (InputStream in = storage.open(location.resolve(BODY))) {
            Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(part, dir.resolve(BODY), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Path manifest = dir.resolve(MANIFEST + ".download");
        try (InputStream in = storage.open(location.resolve(MANIFEST))) {
            Files.copy(in, manifest, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(manifest, dir.resolve(MANIFEST), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Deletes the shared copy: the manifest first, so a half-deleted copy is no longer trusted. */
    public void delete() throws IOException {
        storage.delete(location.resolve(MANIFEST));
        storage.delete(location.resolve(BODY));
    }

    private void copy(Path from, Location to) throws IOException {
        try (InputStream in = Files.newInputStream(from); PositionOutputStream out = storage.newOutputFile(to).create()) {
            in.transferTo(out);
        }
    }

    @Override
    public String toString() {
        return location.toString();
    }
}
