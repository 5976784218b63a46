package io.mixpanelpipelines.source;

import java.nio.file.Path;

/**
 * Where a job keeps its spools: {@code <spoolDir>/<job name>/<from>_<to>/}. Names hold only the job's
 * name and dates, never a credential.
 */
public final class SpoolStore {

    private final Path root;

    public SpoolStore(Path spoolDir, String jobName) {
        this.root = spoolDir.resolve(jobName);
    }

    public Spool forRequest(ExportRequest request) {
        String suffix = request.events().isEmpty() && request.where() == null ? "" : "_filtered-" + Integer.toHexString(
                (request.events() + "|" + request.where()).hashCode());
        return new Spool(root.resolve(request.fromDate() + "_" + request.toDate() + suffix));
    }

    public Path root() {
        return root;
    }
}
