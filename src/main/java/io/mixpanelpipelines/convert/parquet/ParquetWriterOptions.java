package io.mixpanelpipelines.convert.parquet;

import java.util.Locale;
import java.util.Objects;

/**
 * How Parquet files are written.
 *
 * @param codec compression of data pages; {@link Codec#ZSTD} by default
 * @param zstdLevel zstd level, 1 to 22 (default 1: on export data it made files as small as level 3 while
 *     spending about a third less CPU compressing; see the README's Performance section)
 * @param rowGroupSize target row-group size in bytes (default 64 MiB)
 * @param pageSize target page size in bytes (default 1 MiB)
 */
public record ParquetWriterOptions(Codec codec, int zstdLevel, long rowGroupSize, int pageSize) {

    public static final int DEFAULT_ZSTD_LEVEL = 1;
    public static final long DEFAULT_ROW_GROUP_SIZE = 64L * 1024 * 1024;
    public static final int DEFAULT_PAGE_SIZE = 1024 * 1024;

    /** Page compression codecs this build writes without Hadoop. */
    public enum Codec {
        ZSTD, SNAPPY, UNCOMPRESSED;

        /** Parses {@code zstd}, {@code snappy} or {@code uncompressed} (any case). */
        public static Codec of(String name) {
            try {
                return valueOf(Objects.requireNonNull(name, "codec").trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "unknown Parquet codec '" + name + "': expected zstd, snappy or uncompressed", e);
            }
        }
    }

    public ParquetWriterOptions {
        Objects.requireNonNull(codec, "codec");
        if (zstdLevel < 1 || zstdLevel > 22) {
            throw new IllegalArgumentException("zstd level must be 1 to 22, was " + zstdLevel);
        }
        if (rowGroupSize < 1024) {
            throw new IllegalArgumentException("row group size must be at least 1 KiB, was " + rowGroupSize);
        }
        if (pageSize < 1024 || pageSize > rowGroupSize) {
            throw new IllegalArgumentException("page size must be 1 KiB to the row group size, was " + pageSize);
        }
    }

    /** zstd level 1, 64 MiB row groups, 1 MiB pages. */
    public static ParquetWriterOptions defaults() {
        return new ParquetWriterOptions(Codec.ZSTD, DEFAULT_ZSTD_LEVEL, DEFAULT_ROW_GROUP_SIZE, DEFAULT_PAGE_SIZE);
    }

    public ParquetWriterOptions withCodec(Codec newCodec) {
        return new ParquetWriterOptions(newCodec, zstdLevel, rowGroupSize, pageSize);
    }

    public ParquetWriterOptions withZstdLevel(int level) {
        return new ParquetWriterOptions(codec, level, rowGroupSize, pageSize);
    }

    public ParquetWriterOptions withRowGroupSize(long bytes) {
        return new ParquetWriterOptions(codec, zstdLevel, bytes, pageSize);
    }

    public ParquetWriterOptions withPageSize(int bytes) {
        return new ParquetWriterOptions(codec, zstdLevel, rowGroupSize, bytes);
    }
}
