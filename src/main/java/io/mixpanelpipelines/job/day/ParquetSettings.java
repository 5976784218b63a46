package io.mixpanelpipelines.job.day;

import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.convert.parquet.EventSchema;
import io.mixpanelpipelines.convert.parquet.ParquetWriterOptions;

/** Parquet writer options from a job's settings. */
public final class ParquetSettings {

    static final int SCHEMA_VERSION = EventSchema.SCHEMA_VERSION;

    private ParquetSettings() {
    }

    public static ParquetWriterOptions options(JobDefinition job) {
        return ParquetWriterOptions.defaults().withCodec(ParquetWriterOptions.Codec.of(job.export().codec().name()));
    }
}
