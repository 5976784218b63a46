package io.mixpanelpipelines.storage.s3;

import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.OutputFile;
import io.mixpanelpipelines.storage.PositionOutputStream;

/** An S3 object to write: its stream uploads as it goes (see {@link S3OutputStream}). */
public final class S3OutputFile implements OutputFile {

    private final S3Storage storage;
    private final Location location;

    S3OutputFile(S3Storage storage, Location location) {
        this.storage = storage;
        this.location = location;
    }

    @Override
    public PositionOutputStream create() {
        return new S3OutputStream(storage.client(), storage.uploads(), storage.settings(), location);
    }

    @Override
    public Location location() {
        return location;
    }
}
