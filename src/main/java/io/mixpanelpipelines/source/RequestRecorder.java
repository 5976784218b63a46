package io.mixpanelpipelines.source;

/**
 * Records every request to Mixpanel's export API before it is sent, whatever its outcome: the count is
 * what the project's hourly limit is spent on. Implementations are thread-safe.
 */
public interface RequestRecorder {

    /** Records a request about to be sent and returns its id. */
    long beforeSend(ExportRequest request, int attempt);

    /** Records how it ended: an HTTP status (0 when none arrived), an outcome word and the bytes received. */
    void completed(long requestId, int status, String outcome, long bytes);

    /** A recorder that records nothing. */
    RequestRecorder NONE = new RequestRecorder() {
        @Override
        public long beforeSend(ExportRequest request, int attempt) {
            return 0;
        }

        @Override
        public void completed(long requestId, int status, String outcome, long bytes) {
        }
    };
}
