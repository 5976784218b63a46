package io.mixpanelpipelines.job.day;

import io.mixpanelpipelines.dataset.DatasetLayout;
import io.mixpanelpipelines.source.Spool;
import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.PositionOutputStream;
import io.mixpanelpipelines.storage.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * With remote workers, copies the files of the lines a day or slice step could not publish (and the
 * originals of the lines it repaired) from the worker's disk to the destination, {@code _rejected/} and
 * {@code _repaired/} beside {@code events/}, once the step completed: there they reach the user whichever
 * worker met them. A file is copied whole, replacing an earlier copy, so a step run again (a restart,
 * another worker) leaves the copy of its last run. Thread-safe as its storage.
 */
public final class RejectedUpload {

    private final Storage storage;
    private final DatasetLayout layout;

    public RejectedUpload(Storage storage, DatasetLayout layout) {
        this.storage = storage;
        this.layout = layout;
    }

    /**
     * Copies the non-empty files named {@code name} (the day, or the slice's label) kept beside
     * {@code daySpool}.
     */
    public void copy(Spool daySpool, String name) throws IOException {
        copy(daySpool.rejectedDir().resolve(name + ".lines"), layout.rejected());
        copy(daySpool.rejectedDir().resolve(name + ".reasons"), layout.rejected());
        copy(daySpool.repairedDir().resolve(name + ".lines"), layout.repaired());
    }

    private void copy(Path file, Location folder) throws IOException {
        if (!Files.exists(file) || Files.size(file) == 0) {
            return;
        }
        PositionOutputStream out = storage.newOutputFile(folder.resolve(file.getFileName().toString())).create();
        try (InputStream in = Files.newInputStream(file)) {
            in.transferTo(out);
            out.close();
        } catch (IOException | RuntimeException e) {
            out.abort();
            throw e;
        }
    }
}
