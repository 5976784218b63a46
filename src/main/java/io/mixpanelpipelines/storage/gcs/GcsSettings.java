package io.mixpanelpipelines.storage.gcs;

/**
 * How to write a Google Cloud Storage bucket ({@code destination.gcs} of the job file). Credentials are
 * Application Default Credentials only (workload identity, {@code GOOGLE_APPLICATION_CREDENTIALS}).
 *
 * @param projectId the project billed for requests; null: the one ADC names
 * @param chunkSizeBytes a resumable upload's chunk: the memory one file being written takes
 * @param kmsKeyName a customer-managed encryption key (CMEK); null: the bucket's default
 */
public record GcsSettings(String projectId, int chunkSizeBytes, String kmsKeyName) {

    public static final int DEFAULT_CHUNK_SIZE = 16 << 20;
    /** Resumable uploads send chunks in multiples of 256 KiB. */
    public static final int CHUNK_GRANULARITY = 256 << 10;

    public GcsSettings {
        if (chunkSizeBytes < CHUNK_GRANULARITY || chunkSizeBytes % CHUNK_GRANULARITY != 0) {
            throw new IllegalArgumentException("chunkSizeBytes must be a positive multiple of 256 KiB");
        }
    }

    public static GcsSettings defaults() {
        return new GcsSettings(null, DEFAULT_CHUNK_SIZE, null);
    }
}
