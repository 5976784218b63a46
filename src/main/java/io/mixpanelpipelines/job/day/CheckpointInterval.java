package io.mixpanelpipelines.job.day;

import io.mixpanelpipelines.ingest.SpoolLineReader;
import org.springframework.util.unit.DataSize;

/**
 * How much of a day's lines a day step converts between two checkpoints ({@code pipelines.export.checkpoint-bytes},
 * default 8MB): a chunk of {@link #batchesPerChunk} line batches of {@link #batchBytes} each, whose commit saves the
 * day's checkpoint. A kill redoes at most one chunk's input (and the part it was writing); a smaller interval
 * commits more often (each commit costs the state store a few statements), a larger one holds more batches in
 * memory, hence the bounds.
 *
 * @param batchBytes a line batch's fill mark
 * @param batchesPerChunk batches per chunk, so per commit
 */
public record CheckpointInterval(int batchBytes, int batchesPerChunk) {

    static final DataSize MIN = DataSize.ofKilobytes(64);
    static final DataSize MAX = DataSize.ofMegabytes(64);

    /** The property that sets it. */
    public static final String PROPERTY = "pipelines.export.checkpoint-bytes";
    /** 4 batches of about 2 MiB: about 280 commits for a 3M-event day (docs/performance.md). */
    public static final CheckpointInterval DEFAULT = of(DataSize.ofMegabytes(8));

    /** The interval of {@code bytes}: whole batches of at most {@link SpoolLineReader#BATCH_BYTES}, at least one. */
    public static CheckpointInterval of(DataSize bytes) {
        if (bytes.compareTo(MIN) < 0 || bytes.compareTo(MAX) > 0) {
            throw new IllegalArgumentException(PROPERTY + " must be between " + MIN.toKilobytes() + "KB and "
                    + MAX.toMegabytes() + "MB: " + bytes.toBytes() + " bytes");
        }
        int batch = (int) Math.min(SpoolLineReader.BATCH_BYTES, bytes.toBytes());
        return new CheckpointInterval(batch, (int) Math.max(1, bytes.toBytes() / batch));
    }

    /** The interval a property's text names ({@code 8MB}, {@code 512KB}); null or blank: the default. */
    public static CheckpointInterval parse(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT;
        }
        DataSize bytes;
        try {
            bytes = DataSize.parse(text.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PROPERTY + " is not a size such as 8MB or 512KB: '" + text + "'");
        }
        return of(bytes);
    }
}
