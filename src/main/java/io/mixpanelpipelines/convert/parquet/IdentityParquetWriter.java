package io.mixpanelpipelines.convert.parquet;

import io.mixpanelpipelines.storage.OutputFile;
import java.io.Closeable;
import java.io.IOException;
import java.util.Map;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetWriter;

/**
 * Writes identity mapping rows ({@link IdentitySchema}) to one Parquet file through our storage, with the
 * events' own column encoders: values go straight into PLAIN pages (no dictionary: {@code distinct_id} is
 * unique in a day's file, and resolved ids gain nothing from one under zstd), with min/max statistics, and
 * pages are compressed on a worker thread while the next ones are encoded ({@link PagesAhead}). A day's rows
 * are written after its events, by one thread while the other cores are idle: parquet-java's column writers
 * took about twice the time, compression included. Rows go into row groups of {@value #ROW_GROUP_ROWS} rows.
 * The file appears at its location only on {@link #close()}; after a failure call {@link #abort()}, which
 * discards it. Not thread-safe.
 */
public final class IdentityParquetWriter implements Closeable {

    /**
     * A row group's pages stay in memory until it ends: 131,072 rows are about 4 MB compressed with 36-character
     * ids, and still large groups for a reader.
     */
    static final int ROW_GROUP_ROWS = 1 << 17;

    private static final Map<String, String> FOOTER_METADATA =
            Map.of(ParquetWriter.OBJECT_MODEL_NAME_PROP, "mixpanel-pipelines");

    private final ParquetFileLifecycle file;
    private final PagesAhead pages;
    private final BytesColumnEncoder distinctId;
    private final BytesColumnEncoder resolved;
    private final Int64ColumnEncoder firstSeen;
    private final ColumnEncoder[] columns;

    public IdentityParquetWriter(OutputFile outputFile, ParquetWriterOptions options) throws IOException {
        ParquetIO io = new ParquetIO(outputFile);
        int pageSize = options.pageSize();
        ParquetProperties properties = ParquetProperties.builder().withPageSize(pageSize)
                .withDictionaryPageSize(pageSize).withDictionaryEncoding(false).build();
        // one worker: the rows are merged and encoded on one thread, and compression takes the other core
        PageCompressor compressor = new PageCompressor(ParquetFileLifecycle.codecName(options.codec()),
                options.zstdLevel(), 1);
        this.pages = new PagesAhead(compressor);
        this.distinctId = new BytesColumnEncoder(column(IdentitySchema.DISTINCT_ID), pageSize, true, pages);
        this.resolved = new BytesColumnEncoder(column(IdentitySchema.RESOLVED_DISTINCT_ID), pageSize, true, pages);
        this.firstSeen = new Int64ColumnEncoder(column(IdentitySchema.FIRST_SEEN), pageSize, pages);
        this.columns = new ColumnEncoder[] {distinctId, resolved, firstSeen};
        this.file = new ParquetFileLifecycle(io, IdentitySchema.SCHEMA, options.rowGroupSize(), properties,
                properties.getAllocator(), compressor, FOOTER_METADATA, new RowGroups());
    }

    /**
     * Appends one row from the UTF-8 bytes of its ids, {@code id[0..idLength)} and {@code resolvedId[0..resolvedLength)},
     * which are copied into the pages: the caller may overwrite them once this returns.
     */
    public void write(byte[] id, int idLength, byte[] resolvedId, int resolvedLength, long firstSeenMicros)
            throws IOException {
        file.ensureWritable();
        try {
            distinctId.add(id, 0, idLength);
            resolved.add(resolvedId, 0, resolvedLength);
            firstSeen.add(firstSeenMicros);
            file.rowWritten();
            if (file.rowGroupRows() >= ROW_GROUP_ROWS) {
                file.nextRowGroup();
            }
        } catch (IOException | RuntimeException e) {
            file.failed(); // the columns may now disagree on the row count: only abort() is left
            throw e;
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

    /** The columns' part in a row group: the pages still compressing ahead are written before it ends. */
    private final class RowGroups implements ParquetFileLifecycle.RowGroupColumns {
        @Override
        public void startRowGroup(ColumnChunkPageWriteStore pageStore) {
            for (ColumnEncoder c : columns) {
                c.startChunk(pageStore.getPageWriter(c.column));
            }
        }

        @Override
        public void endRowGroup() throws IOException {
            for (ColumnEncoder c : columns) {
                c.endChunk();
            }
            pages.writeAll();
        }

        /** Pages still queued for compression are dropped: the file is being discarded (none after a flush). */
        @Override
        public void releaseRowGroup() {
            pages.clear();
        }
    }

    private static ColumnDescriptor column(String name) {
        return IdentitySchema.SCHEMA.getColumnDescription(new String[] {name});
    }
}
