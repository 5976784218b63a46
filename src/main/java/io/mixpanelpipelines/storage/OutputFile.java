package io.mixpanelpipelines.storage;

import java.io.IOException;

/** A file to be written once. The file becomes visible at its location only when the stream is closed. */
public interface OutputFile {

    /** Opens a stream that replaces any file at this location when it is closed successfully. */
    PositionOutputStream create() throws IOException;

    Location location();
}
