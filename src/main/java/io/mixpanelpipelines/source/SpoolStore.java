package io.mixpanelpipelines.source;

import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.Storage;
import java.nio.file.Path;

/**
 * Where a job keeps its spools: {@code <spoolDir>/<job name>/<from>_<to>/}, and, for remote workers, their
 * shared copies under {@code <spoolUri>/<job name>/<from>_<to>/} ({@link SharedSpool}). Names hold only the
 * job's name and dates, never a credential.
 */
public final class SpoolStore {

    private final Path root;
    private final Storage sharedStorage;
    private final Location sharedRoot;

    public SpoolStore(Path spoolDir, String jobName) {
        this(spoolDir, jobName, null, null);
    }

    /**
     * @param sharedStorage the storage of {@code spoolUri}; null (with {@code spoolUri}) for local spools only
     */
    public SpoolStore(Path spoolDir, String jobName, Storage sharedStorage, Location spoolUri) {
        this.root = spoolDir.resolve(jobName);
        this.sharedStorage = sharedStorage;
        this.sharedRoot = spoolUri == null ? null : spoolUri.resolve(jobName);
    }

    public Spool forRequest(ExportRequest request) {
        String suffix = request.events().isEmpty() && request.where() == null ? "" : "_filtered-" + Integer.toHexString(
                (request.events() + "|" + request.where()).hashCode());
        String name = request.fromDate() + "_" + request.toDate() + suffix;
        return new Spool(root.resolve(name), sharedRoot == null ? null : new SharedSpool(sharedStorage, sharedRoot.resolve(name)));
    }

    /**
     * The spool at the relative path {@code names} under the job's folder (a day's slice:
     * {@code <day spool>.slices/<slice>}), with its shared copy at the same path under {@code spoolUri}.
     */
    public Spool at(String... names) {
        Path dir = root;
        Location shared = sharedRoot;
        for (String n : names) {
            dir = dir.resolve(n);
            shared = shared == null ? null : shared.resolve(n);
        }
        return new Spool(dir, shared == null ? null : new SharedSpool(sharedStorage, shared));
    }

    public Path root() {
        return root;
    }
}
