package io.mixpanelpipelines.storage.s3;

import java.net.URI;

/**
 * How to reach and write an S3 bucket ({@code destination.s3} of the job file). Credentials are not
 * here: they come from the AWS SDK's default chain only (environment, profile, web identity / IRSA,
 * container and instance roles).
 *
 * @param region the bucket's region; null: the SDK's region chain, else {@code us-east-1} with
 *     cross-region access
 * @param endpoint an S3-compatible store (MinIO, Ceph, R2); null for AWS
 * @param pathStyleAccess {@code http://host/bucket/key} instead of {@code http://bucket.host/key}
 * @param partSizeBytes a multipart upload part: the memory one in-flight part takes (at least 5 MiB)
 * @param maxPartsInFlight parts uploaded at once per file; a file buffers at most this many plus one
 * @param sse server-side encryption ({@code AES256} or {@code aws:kms}); null: the bucket's default
 * @param kmsKeyId the KMS key for {@code aws:kms}; null: the account's default S3 key
 * @param storageClass e.g. {@code STANDARD_IA}; null: {@code STANDARD}
 */
public record S3Settings(String region, URI endpoint, boolean pathStyleAccess, long partSizeBytes,
        int maxPartsInFlight, String sse, String kmsKeyId, String storageClass) {

    public static final long MIN_PART_SIZE = 5L << 20;
    public static final long DEFAULT_PART_SIZE = 16L << 20;
    public static final int DEFAULT_PARTS_IN_FLIGHT = 2;

    public S3Settings {
        if (partSizeBytes < MIN_PART_SIZE) {
            throw new IllegalArgumentException("partSizeBytes must be at least 5 MiB (S3's smallest part)");
        }
        if (maxPartsInFlight < 1) {
            throw new IllegalArgumentException("maxPartsInFlight must be at least 1");
        }
    }

    /** The defaults: AWS, the region from the SDK's chain, 16 MiB parts, 2 in flight, no SSE override. */
    public static S3Settings defaults() {
        return new S3Settings(null, null, false, DEFAULT_PART_SIZE, DEFAULT_PARTS_IN_FLIGHT, null, null, null);
    }
}
