package io.mixpanelpipelines.job.day;

import io.mixpanelpipelines.config.InvalidJobException;
import io.mixpanelpipelines.ingest.SpoolLineReader;
import org.springframework.core.env.PropertyResolver;
import org.springframework.util.unit.DataSize;

/**
 * How much of a day's lines a day step converts between two commits ({@code pipelines.export.checkpoint-bytes},
 * default 8MB, also the largest): a chunk of {@link #batchesPerChunk} line batches of {@link #batchBytes} each,
 * whose commit saves the day's checkpoint (the end of its last closed part). A smaller interval commits more
 * often (each commit costs the state store a few statements) and stops sooner on a signal; a larger one would
 * hold more batches in memory until the chunk is written (16 batches a chunk brought back issue 18's
 * out-of-memory, docs/performance.md), hence the bound.
 *
 * @param batchBytes a line batch's fill mark
 * @param batchesPerChunk batches per chunk, so per commit
 */
public record CheckpointInterval(int batchBytes, int batchesPerChunk) {

    static final DataSize MIN = DataSize.ofKilobytes(64);
    static final DataSize MAX = DataSize.ofMegabytes(8);

    /** The property that sets it. */
    public static final String PROPERTY = "pipelines.export.checkpoint-bytes";
    /** 4 batches of about 2 MiB: about 280 commits for a 3M-event day (docs/performance.md). */
    public static final CheckpointInterval DEFAULT = of(DataSize.ofMegabytes(8));

    public CheckpointInterval {
        if (batchBytes < MIN.toBytes() || batchBytes > SpoolLineReader.BATCH_BYTES || batchesPerChunk < 1
                || batchesPerChunk > MAX.toBytes() / SpoolLineReader.BATCH_BYTES) {
            throw new IllegalArgumentException("not a checkpoint interval: " + batchesPerChunk + " batches of " + batchBytes);
        }
    }

    /**
     * The interval of {@code bytes}: whole batches of at most {@link SpoolLineReader#BATCH_BYTES} (rounded down:
     * 5MB is 2 batches), at least one.
     */
    public static CheckpointInterval of(DataSize bytes) {
        if (bytes.compareTo(MIN) < 0 || bytes.compareTo(MAX) > 0) {
            throw new InvalidJobException(PROPERTY + " must be between " + MIN.toKilobytes() + "KB and "
                    + MAX.toMegabytes() + "MB: " + bytes.toBytes() + " bytes");
        }
        int batch = (int) Math.min(SpoolLineReader.BATCH_BYTES, bytes.toBytes());
        return new CheckpointInterval(batch, (int) Math.max(1, bytes.toBytes() / batch));
    }

    /**
     * The interval {@link #PROPERTY} sets in {@code properties} (a context's environment), the default where it is
     * not set: what each export context and the {@code schedule} service read.
     *
     * @throws InvalidJobException (exit 2) when it is not a size, or out of bounds
     */
    public static CheckpointInterval configured(PropertyResolver properties) {
        return parse(properties.getProperty(PROPERTY));
    }

    /**
     * The interval a property's text names ({@code 8MB}, {@code 512KB}); null or blank: the default.
     *
     * @throws InvalidJobException (exit 2) when it is not a size, or out of bounds
     */
    public static CheckpointInterval parse(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT;
        }
        DataSize bytes;
        try {
            bytes = DataSize.parse(text.trim());
        } catch (IllegalArgumentException e) {
            throw new InvalidJobException(PROPERTY + " is not a size such as 8MB or 512KB: '" + text + "'");
        }
        return of(bytes);
    }
}
