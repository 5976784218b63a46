package io.mixpanelpipelines.dataset;

import io.mixpanelpipelines.config.InvalidJobException;
import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.PositionOutputStream;
import io.mixpanelpipelines.storage.Storage;
import java.io.IOException;

/**
 * Proves a destination writable before anything is spent on it: writes a one-byte probe file into the
 * project's {@code _staging} folder and deletes it again. Used by {@code export} before its first request
 * and by {@code check}. Stateless.
 */
public final class DestinationProbe {

    private DestinationProbe() {
    }

    /**
     * @param tag makes the probe's name unique to its caller (a run id): two runs never share a probe
     * @throws InvalidJobException naming the destination (never a credential) when it cannot be written
     *     or the probe cannot be deleted
     */
    public static void check(Storage storage, DatasetLayout layout, String projectId, String tag) {
        Location probe = layout.root().resolve(projectId, "_staging", ".write-check-" + tag);
        try {
            PositionOutputStream out = storage.newOutputFile(probe).create();
            out.write('x');
            out.close();
            storage.delete(probe);
        } catch (IOException | RuntimeException e) {
            throw new InvalidJobException("destination " + layout.root() + " is not writable: " + e.getMessage());
        }
    }
}
