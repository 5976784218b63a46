package io.mixpanelpipelines.convert.parquet;

import io.mixpanelpipelines.storage.OutputFile;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.api.Binary;

/**
 * Writes identity mapping rows ({@link IdentitySchema}) to one Parquet file through our storage, with
 * parquet-java's column writers (the file is small: one row per mapped id of a day, so the events writer's
 * hand-made pages buy nothing here). Rows go into row groups of {@value #ROW_GROUP_ROWS} rows; pages are
 * compressed on the calling thread with the events' codec. The file appears at its location only on
 * {@link #close()}; after a failure call {@link #abort()}, which discards it. Not thread-safe.
 */
public final class IdentityParquetWriter implements Closeable {

    /**
     * A row group's pages stay in memory until it ends: 131,072 rows are about 4 MB compressed with 36-character
     * ids (1M rows held about 40 MB at the end of a simulator day), and still large groups for a reader.
     */
    static final int ROW_GROUP_ROWS = 1 << 17;

    private static final Map<String, String> FOOTER_METADATA =
            Map.of(ParquetWriter.OBJECT_MODEL_NAME_PROP, "mixpanel-pipelines");

    private final ParquetFileLifecycle file;
    private final ParquetProperties properties;
    private final ColumnDescriptor[] columns;
    private ColumnWriteStore store;
    private ColumnWriter distinctId;
    private ColumnWriter resolved;
    private ColumnWriter firstSeen;

    public IdentityParquetWriter(OutputFile outputFile, ParquetWriterOptions options) throws IOException {
        ParquetIO io = new ParquetIO(outputFile);
        // no dictionary: distinct_id is unique in a day's file, so one would only be built to be given up, and
        // resolved ids (one user, many devices) gain nothing from one under zstd (a 1M-event simulator day: 32.5
        // MB without, 32.4 MB with); building them took a third of writing the day's mappings
        this.properties = ParquetProperties.builder().withPageSize(options.pageSize())
                .withDictionaryPageSize(options.pageSize()).withDictionaryEncoding(false).build();
        PageCompressor compressor = new PageCompressor(ParquetFileLifecycle.codecName(options.codec()),
                options.zstdLevel(), 1);
        this.columns = IdentitySchema.SCHEMA.getColumns().toArray(ColumnDescriptor[]::new);
        this.file = new ParquetFileLifecycle(io, IdentitySchema.SCHEMA, options.rowGroupSize(), properties,
                properties.getAllocator(), compressor, FOOTER_METADATA, new RowGroups());
    }

    /** Appends one row; {@code distinctId} and {@code resolvedDistinctId} must not be null. */
    public void write(String distinctId, String resolvedDistinctId, long firstSeenMicros) throws IOException {
        byte[] id = distinctId.getBytes(StandardCharsets.UTF_8);
        byte[] resolvedId = resolvedDistinctId.getBytes(StandardCharsets.UTF_8);
        write(id, id.length, resolvedId, resolvedId.length, firstSeenMicros);
    }

    /**
     * Appends one row from the UTF-8 bytes of its ids, {@code id[0..idLength)} and {@code resolvedId[0..resolvedLength)},
     * which the caller may overwrite once this returns.
     */
    public void write(byte[] id, int idLength, byte[] resolvedId, int resolvedLength, long firstSeenMicros)
            throws IOException {
        if (file.done()) {
            throw new IllegalStateException("writer for " + file.path() + " is closed");
        }
        // reused arrays: the values are copied into the page as they are written, and the statistics copy the
        // ones they keep (a plain array, not Binary.fromString's ByteBuffer, which is slower to make and to write)
        this.distinctId.write(Binary.fromReusedByteArray(id, 0, idLength), 0, 0);
        this.resolved.write(Binary.fromReusedByteArray(resolvedId, 0, resolvedLength), 0, 0);
        this.firstSeen.write(firstSeenMicros, 0, 0);
        store.endRecord();
        file.rowWritten();
        if (file.rowGroupRows() >= ROW_GROUP_ROWS) {
            file.nextRowGroup();
        }
    }

    public long rows() {
        return file.rows();
    }

    /** Bytes of the finished file (valid after {@link #close()}). */
    public long fileSize() throws IOException {
        return file.position();
    }

    @Override
    public void close() throws IOException {
        file.close();
    }

    /** Discards the file: nothing appears at its location. Safe after a failure, and twice. */
    public void abort() {
        file.abort();
    }

    /** parquet-java's column writers for a row group, over the row group's page store. */
    private final class RowGroups implements ParquetFileLifecycle.RowGroupColumns {
        @Override
        public void startRowGroup(ColumnChunkPageWriteStore pageStore) {
            store = properties.newColumnWriteStore(IdentitySchema.SCHEMA, pageStore);
            distinctId = store.getColumnWriter(columns[0]);
            resolved = store.getColumnWriter(columns[1]);
            firstSeen = store.getColumnWriter(columns[2]);
        }

        @Override
        public void endRowGroup() {
            store.flush();
        }

        @Override
        public void releaseRowGroup() {
            if (store != null) {
                store.close();
                store = null;
            }
        }
    }
}
