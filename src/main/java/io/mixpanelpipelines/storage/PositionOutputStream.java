package io.mixpanelpipelines.storage;

import java.io.IOException;
import java.io.OutputStream;

/**
 * An output stream that knows how many bytes it has written: all a Parquet writer needs.
 * {@link #close()} publishes the file at its location; {@link #abort()} discards it instead.
 */
public abstract class PositionOutputStream extends OutputStream {

    /** The number of bytes written so far. */
    public abstract long getPos() throws IOException;

    /**
     * Discards everything written: nothing appears at the location (an object-store upload is aborted).
     * A later {@link #close()} does nothing. Never throws for a stream that is already closed.
     */
    public abstract void abort();
}
