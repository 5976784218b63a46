package io.mixpanelpipelines.source;

/**
 * Receives the decoded body of an export while it is being downloaded, so that it can be converted on the
 * way in instead of being decoded a second time from the spool. The spool is written regardless: a sink
 * only watches. Called by the downloading thread, attempt by attempt:
 * {@link #begin} when a body starts arriving, {@link #write} for each decoded piece, then either
 * {@link #complete} (the body ended cleanly and the spool is committed) or {@link #abandon} (that attempt's
 * bytes are void; another attempt may follow with a new {@link #begin}).
 *
 * <p>A sink must not slow the download down to failure nor throw: if its consumer has gone away it drops
 * what it is given, and the download still completes the spool (a request paid for is never wasted).
 */
public interface BodySink {

    /** A sink that ignores everything. */
    BodySink NONE = new BodySink() {
        @Override
        public void begin() {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }

        @Override
        public void complete(SpoolManifest manifest) {
        }

        @Override
        public void abandon(String reason) {
        }
    };

    /** A body (HTTP 200) starts arriving: decoded bytes follow from its first byte. */
    void begin();

    /**
     * An array the caller may decode the next bytes into, or null to use its own. If {@link #write} is then
     * called with that very array at offset 0, the sink keeps it instead of copying it, and the caller must
     * not touch it again; any other array is copied.
     */
    default byte[] buffer() {
        return null;
    }

    /** The next decoded bytes; unless the array came from {@link #buffer}, it is reused after this returns. */
    void write(byte[] b, int off, int len);

    /** The body ended cleanly and its spool is committed with this manifest. */
    void complete(SpoolManifest manifest);

    /** The attempt that began last failed (cut, stalled, truncated, {@code terminated early}): its bytes are void. */
    void abandon(String reason);
}
