package io.mixpanelpipelines.storage;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Passes every byte on to another stream and counts them: the project's one counting stream (spooled response
 * bodies, day spools split from a window, files written to local disk and to GCS). A byte is counted once the
 * stream it went to has taken it. Not thread-safe.
 */
public class CountingOutputStream extends FilterOutputStream {

    private long count;

    public CountingOutputStream(OutputStream out) {
        super(out);
    }

    /** The bytes written so far. */
    public long count() {
        return count;
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        count += len;
    }
}
