package io.mixpanelpipelines.convert.parquet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;

/** Pins the column contract and the writer defaults: changing them is a deliberate, versioned act. */
class EventSchemaTests {

    @Test
    void schemaIsTheDataPipelinesContract() {
        assertThat(EventSchema.SCHEMA_VERSION).isEqualTo(1);
        assertThat(EventSchema.SCHEMA).isEqualTo(MessageTypeParser.parseMessageType("""
                message mp_event {
                  required binary event_name (STRING);
                  required int64 time (TIMESTAMP(MICROS,true));
                  optional binary distinct_id (STRING);
                  optional binary insert_id (STRING);
                  optional binary device_id (STRING);
                  optional binary user_id (STRING);
                  optional int64 mp_processing_time (TIMESTAMP(MICROS,true));
                  optional binary properties (JSON);
                }
                """));
    }

    @Test
    void writerDefaults() {
        ParquetWriterOptions defaults = ParquetWriterOptions.defaults();
        assertThat(defaults.codec()).isEqualTo(ParquetWriterOptions.Codec.ZSTD);
        assertThat(defaults.zstdLevel()).isEqualTo(1);
        assertThat(defaults.rowGroupSize()).isEqualTo(64L * 1024 * 1024);
        assertThat(defaults.pageSize()).isEqualTo(1024 * 1024);
    }

    @Test
    void codecNamesAndValidation() {
        assertThat(ParquetWriterOptions.Codec.of("zstd")).isEqualTo(ParquetWriterOptions.Codec.ZSTD);
        assertThat(ParquetWriterOptions.Codec.of(" Snappy ")).isEqualTo(ParquetWriterOptions.Codec.SNAPPY);
        assertThat(ParquetWriterOptions.Codec.of("UNCOMPRESSED")).isEqualTo(ParquetWriterOptions.Codec.UNCOMPRESSED);
        assertThatThrownBy(() -> ParquetWriterOptions.Codec.of("gzip")).hasMessageContaining("gzip");
        assertThatThrownBy(() -> ParquetWriterOptions.defaults().withZstdLevel(0)).hasMessageContaining("zstd level");
        assertThatThrownBy(() -> ParquetWriterOptions.defaults().withPageSize(10)).hasMessageContaining("page size");
    }
}
