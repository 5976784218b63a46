package io.mixpanelpipelines.job.day;

/** A day cannot be published as it is (too many malformed lines, say); running again unchanged will not help. */
public class PartitionFailedException extends RuntimeException {

    public PartitionFailedException(String message) {
        super(message);
    }
}
