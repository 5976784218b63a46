package io.mixpanelpipelines.convert.parquet;

import io.mixpanelpipelines.storage.OutputFile;
import java.io.Closeable;
import java.io.IOException;
import java.util.Map;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.api.Binary;

/**
 * Writes identity mapping rows ({@link IdentitySchema}) to one Parquet file through our storage, with
 * parquet-java's column writers (the file is small: one row per mapped id of a day, so the events writer's
 * hand-made pages buy nothing here). Rows go into row groups of {@value #ROW_GROUP_ROWS} rows; pages are
 * compressed on the calling thread with the events' codec. The file appears at its location only on
 * {@link #close()}; after a failure call {@link #abort()}, which discards it. Not thread-safe.
 */
public final class IdentityParquetWriter implements Closeable {

    static final int ROW_GROUP_ROWS = 1 << 20;

    private final ParquetIO file;
    private final ParquetProperties properties;
    private final PageCompressor compressor;
    private final ParquetFileWriter fileWriter;
    private final ColumnDescriptor[] columns;
    private ColumnChunkPageWriteStore pageStore;
    private ColumnWriteStore store;
    private ColumnWriter distinctId;
    private ColumnWriter resolved;
    private ColumnWriter firstSeen;
    private long groupRows;
    private long rows;
    private boolean done;

    public IdentityParquetWriter(OutputFile outputFile, ParquetWriterOptions options) throws IOException {
        this.file = new ParquetIO(outputFile);
        this.properties = ParquetProperties.builder().withPageSize(options.pageSize())
                .withDictionaryPageSize(options.pageSize()).build();
        this.compressor = new PageCompressor(codec(options.codec()), options.zstdLevel(), 1);
        this.columns = IdentitySchema.SCHEMA.getColumns().toArray(ColumnDescriptor[]::new);
        try {
            this.fileWriter = new ParquetFileWriter(file, IdentitySchema.SCHEMA, ParquetFileWriter.Mode.CREATE,
                    options.rowGroupSize(), ParquetWriter.MAX_PADDING_SIZE_DEFAULT, null, properties);
            fileWriter.start();
            startGroup();
        } catch (IOException | RuntimeException e) {
            file.abort();
            compressor.release();
            throw e;
        }
    }

    /** Appends one row; {@code distinctId} and {@code resolvedDistinctId} must not be null. */
    public void write(String distinctId, String resolvedDistinctId, long firstSeenMicros) throws IOException {
        if (done) {
            throw new IllegalStateException("writer for " + file.getPath() + " is closed");
        }
        this.distinctId.write(Binary.fromString(distinctId), 0, 0);
        this.resolved.write(Binary.fromString(resolvedDistinctId), 0, 0);
        this.firstSeen.write(firstSeenMicros, 0, 0);
        store.endRecord();
        rows++;
        if (++groupRows >= ROW_GROUP_ROWS) {
            flushGroup();
            startGroup();
        }
    }

    public long rows() {
        return rows;
    }

    /** Bytes of the finished file (valid after {@link #close()}). */
    public long fileSize() throws IOException {
        return file.position();
    }

    @Override
    public void close() throws IOException {
        if (done) {
            return;
        }
        done = true;
        try {
            if (groupRows > 0) {
                flushGroup();
            }
            fileWriter.end(Map.of(ParquetWriter.OBJECT_MODEL_NAME_PROP, "mixpanel-pipelines"));
        } catch (IOException | RuntimeException e) {
            file.abort();
            throw e;
        } finally {
            release();
        }
    }

    /** Discards the file: nothing appears at its location. Safe after a failure, and twice. */
    public void abort() {
        if (done) {
            return;
        }
        done = true;
        file.abort();
        release();
    }

    private void release() {
        if (store != null) {
            store.close();
            store = null;
        }
        if (pageStore != null) {
            pageStore.close();
            pageStore = null;
        }
        compressor.release();
    }

    private void startGroup() {
        pageStore = new ColumnChunkPageWriteStore(compressor, IdentitySchema.SCHEMA, properties.getAllocator(),
                properties.getColumnIndexTruncateLength(), properties.getPageWriteChecksumEnabled());
        store = properties.newColumnWriteStore(IdentitySchema.SCHEMA, pageStore);
        distinctId = store.getColumnWriter(columns[0]);
        resolved = store.getColumnWriter(columns[1]);
        firstSeen = store.getColumnWriter(columns[2]);
        groupRows = 0;
    }

    private void flushGroup() throws IOException {
        store.flush();
        fileWriter.startBlock(groupRows);
        pageStore.flushToFileWriter(fileWriter);
        fileWriter.endBlock();
        store.close();
        store = null;
        pageStore.close();
        pageStore = null;
    }

    private static CompressionCodecName codec(ParquetWriterOptions.Codec codec) {
        return switch (codec) {
            case ZSTD -> CompressionCodecName.ZSTD;
            case SNAPPY -> CompressionCodecName.SNAPPY;
            case UNCOMPRESSED -> CompressionCodecName.UNCOMPRESSED;
        };
    }
}
