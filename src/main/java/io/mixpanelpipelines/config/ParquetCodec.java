package io.mixpanelpipelines.config;

/** Compression of the Parquet files. */
public enum ParquetCodec {
    ZSTD, SNAPPY, UNCOMPRESSED
}
