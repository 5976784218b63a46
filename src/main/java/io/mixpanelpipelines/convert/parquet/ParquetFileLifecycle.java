package io.mixpanelpipelines.convert.parquet;

import java.io.IOException;
import java.util.Map;
import org.apache.parquet.bytes.ByteBufferAllocator;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;

/**
 * The part of writing one Parquet file that the events, people and identity writers share: opening the file
 * writer, row groups (a page store per group, flushed to the file as one block), the footer on
 * {@link #close}, discarding the file on {@link #abort()} or after a failure, and releasing the page store
 * and the compressor exactly once whichever way the file ends. The writer owning it encodes the values
 * (straight into its columns, untouched by this class: the per-value path has no call through here) and
 * says, through {@link RowGroupColumns}, how its columns join and leave a row group.
 *
 * <p>Not thread-safe, like the writers it serves.
 */
final class ParquetFileLifecycle {

    /** How a writer's columns take part in a row group. */
    interface RowGroupColumns {
        /** Binds the columns to the page writers of a new row group. */
        void startRowGroup(ColumnChunkPageWriteStore pageStore);

        /** Hands the row group's remaining pages to its page store, before the store goes to the file. */
        void endRowGroup() throws IOException;

        /** Releases what the writer holds for the current row group; called before the page store is closed. */
        void releaseRowGroup();
    }

    private final ParquetIO file;
    private final MessageType schema;
    private final ParquetProperties properties;
    private final ByteBufferAllocator allocator;
    private final PageCompressor compressor;
    private final Map<String, String> footer;
    private final RowGroupColumns columns;
    private final ParquetFileWriter fileWriter;

    private ColumnChunkPageWriteStore pageStore;
    private long rowGroupsEnd;
    private long rowGroupRows;
    private long rows;
    private boolean failed;
    private boolean done;

    /**
     * Starts the file and its first row group. On failure the file is discarded and the compressor (and
     * anything the first row group took) released before the exception goes on.
     */
    ParquetFileLifecycle(ParquetIO file, MessageType schema, long rowGroupSize, ParquetProperties properties,
            ByteBufferAllocator allocator, PageCompressor compressor, Map<String, String> footer,
            RowGroupColumns columns) throws IOException {
        this.file = file;
        this.schema = schema;
        this.properties = properties;
        this.allocator = allocator;
        this.compressor = compressor;
        this.footer = footer;
        this.columns = columns;
        try {
            this.fileWriter = new ParquetFileWriter(file, schema, ParquetFileWriter.Mode.CREATE, rowGroupSize,
                    ParquetWriter.MAX_PADDING_SIZE_DEFAULT, null, properties);
            fileWriter.start();
            this.rowGroupsEnd = fileWriter.getPos();
            startRowGroup();
        } catch (IOException | RuntimeException e) {
            file.abort();
            release();
            throw e;
        }
    }

    /** Throws unless rows may still be written: not closed, aborted or {@link #failed() failed}. */
    void ensureWritable() {
        if (done || failed) {
            throw new IllegalStateException("writer for " + file.getPath() + " is already "
                    + (done ? "closed" : "failed"));
        }
    }

    /** Whether the file was closed or aborted. */
    boolean done() {
        return done;
    }

    /**
     * Marks the writer failed: its columns may disagree on the row count, so only {@link #abort()} is left
     * ({@link #close()} aborts and throws).
     */
    void failed() {
        failed = true;
    }

    /** Counts one row written to all columns of the current row group. */
    void rowWritten() {
        rows++;
        rowGroupRows++;
    }

    /** Rows written so far. */
    long rows() {
        return rows;
    }

    /** Rows in the current row group. */
    long rowGroupRows() {
        return rowGroupRows;
    }

    /** Where the row groups written so far end in the file. */
    long rowGroupsEnd() {
        return rowGroupsEnd;
    }

    /** Bytes written to the file so far: its size, footer included, once closed. */
    long position() throws IOException {
        return file.position();
    }

    String path() {
        return file.getPath();
    }

    /** Writes the current row group to the file and starts the next. */
    void nextRowGroup() throws IOException {
        flushRowGroup();
        startRowGroup();
    }

    /** Writes the last row group (if it has rows) and the footer; the file appears at its location. */
    void close() throws IOException {
        if (done) {
            return;
        }
        if (failed) {
            abort();
            throw new IOException("writer for " + file.getPath() + " failed earlier; its file was discarded");
        }
        done = true;
        try {
            if (rowGroupRows > 0) {
                flushRowGroup();
            }
            fileWriter.end(footer);
        } catch (IOException | RuntimeException e) {
            file.abort();
            throw e;
        } finally {
            release();
        }
    }

    /** Discards the file: nothing appears at its location. Safe after a failure, and twice. */
    void abort() {
        if (done) {
            return;
        }
        done = true;
        // No footer. The row group's buffers go back to the allocator; the compression threads stop (pages
        // still queued are dropped) before their native zstd contexts are freed.
        file.abort();
        release();
    }

    private void startRowGroup() {
        pageStore = new ColumnChunkPageWriteStore(compressor, schema, allocator,
                properties.getColumnIndexTruncateLength(), properties.getPageWriteChecksumEnabled());
        columns.startRowGroup(pageStore);
        rowGroupRows = 0;
    }

    private void flushRowGroup() throws IOException {
        columns.endRowGroup();
        fileWriter.startBlock(rowGroupRows);
        pageStore.flushToFileWriter(fileWriter);
        fileWriter.endBlock();
        rowGroupsEnd = fileWriter.getPos();
        releaseRowGroup();
    }

    private void releaseRowGroup() {
        columns.releaseRowGroup();
        if (pageStore != null) {
            pageStore.close();
            pageStore = null;
        }
    }

    private void release() {
        releaseRowGroup();
        compressor.release();
    }

    /** The parquet-java codec for a configured one. */
    static CompressionCodecName codecName(ParquetWriterOptions.Codec codec) {
        return switch (codec) {
            case ZSTD -> CompressionCodecName.ZSTD;
            case SNAPPY -> CompressionCodecName.SNAPPY;
            case UNCOMPRESSED -> CompressionCodecName.UNCOMPRESSED;
        };
    }
}
