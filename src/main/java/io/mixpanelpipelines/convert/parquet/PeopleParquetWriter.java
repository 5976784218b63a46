package io.mixpanelpipelines.convert.parquet;

import io.mixpanelpipelines.storage.OutputFile;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.page.PageWriter;
import org.apache.parquet.column.statistics.SizeStatistics;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetWriter;

/**
 * Writes profiles to one Parquet file in {@link PeopleSchema}, with the events writer's pieces: the same
 * column encoders, page compressor (zstd by default) and file writer, through our storage (no Hadoop, no
 * local copy for object stores). Pages are compressed on the writing thread: profiles are a small fraction
 * of a project's data and arrive at the Query API's pace. The file appears at its location only on
 * {@link #close()}; after a failure the caller must call {@link #abort()}. Not thread-safe.
 */
public final class PeopleParquetWriter implements Closeable, ColumnEncoder.PageQueue {

    private static final Map<String, String> FOOTER_METADATA = Map.of(
            EventSchema.VERSION_KEY, Integer.toString(EventSchema.SCHEMA_VERSION),
            ParquetWriter.OBJECT_MODEL_NAME_PROP, "mixpanel-pipelines");

    private final ParquetFileLifecycle file;
    private final long rowGroupSize;
    private final BytesColumnEncoder distinctId;
    private final BytesColumnEncoder propertiesJson;
    private final Int64ColumnEncoder lastSeen;
    private final ColumnEncoder[] columns;

    /** Opens the file; nothing is visible at its location until {@link #close()}. */
    public PeopleParquetWriter(OutputFile outputFile, ParquetWriterOptions options) throws IOException {
        ParquetIO io = new ParquetIO(outputFile);
        this.rowGroupSize = options.rowGroupSize();
        RecyclingAllocator allocator = new RecyclingAllocator(options.rowGroupSize() + options.rowGroupSize() / 4);
        int pageSize = options.pageSize();
        this.distinctId = new BytesColumnEncoder(column(PeopleSchema.DISTINCT_ID), pageSize, true, this);
        this.propertiesJson = new BytesColumnEncoder(column(PeopleSchema.PROPERTIES), pageSize, false, this);
        this.lastSeen = new Int64ColumnEncoder(column(PeopleSchema.LAST_SEEN), pageSize, this);
        this.columns = new ColumnEncoder[] {distinctId, propertiesJson, lastSeen};
        ParquetProperties properties = ParquetProperties.builder().withPageSize(pageSize).withAllocator(allocator)
                .withStatisticsEnabled(PeopleSchema.PROPERTIES, false)
                .withSizeStatisticsEnabled(PeopleSchema.PROPERTIES, false).build();
        PageCompressor compressor = new PageCompressor(ParquetFileLifecycle.codecName(options.codec()),
                options.zstdLevel(), 1);
        this.file = new ParquetFileLifecycle(io, PeopleSchema.SCHEMA, rowGroupSize, properties, allocator, compressor,
                FOOTER_METADATA, new RowGroups());
    }

    /**
     * Appends one profile.
     *
     * @param properties the {@code $properties} bytes as served, {@code [offset, offset + length)}
     * @param lastSeenMicros {@code last_seen}, or null when absent or unparsable
     */
    public void write(String id, byte[] properties, int offset, int length, Long lastSeenMicros) throws IOException {
        file.ensureWritable();
        try {
            byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
            distinctId.add(idBytes, 0, idBytes.length);
            propertiesJson.add(properties, offset, length);
            if (lastSeenMicros == null) {
                lastSeen.addNull();
            } else {
                lastSeen.add(lastSeenMicros);
            }
            file.rowWritten();
            if (bufferedBytes() >= rowGroupSize) {
                file.nextRowGroup();
            }
        } catch (IOException | RuntimeException e) {
            file.failed();
            throw e;
        }
    }

    public long rows() {
        return file.rows();
    }

    /** The size of the finished file in bytes (valid after {@link #close()}). */
    public long fileSize() throws IOException {
        return file.position();
    }

    /** Bytes written plus bytes buffered: for rolling to the next part at a size. */
    public long dataSize() throws IOException {
        return file.position() + bufferedBytes();
    }

    @Override
    public void close() throws IOException {
        file.close();
    }

    /** Discards the file. Safe after a failure, and twice. */
    public void abort() {
        file.abort();
    }

    @Override
    public byte[] add(ColumnEncoder column, PageWriter writer, byte[] bytes, int start, int end, int rows,
            Statistics<?> statistics, SizeStatistics sizes, Encoding definitionLevels, Encoding values) throws IOException {
        // written (and compressed) at once, so the column keeps building in the same array
        writer.writePage(BytesInput.from(bytes, start, end - start), rows, rows, statistics, sizes, null,
                Encoding.BIT_PACKED, definitionLevels, values);
        column.pageWritten(writer.getMemSize());
        return bytes;
    }

    private long bufferedBytes() {
        long sum = 0;
        for (ColumnEncoder c : columns) {
            sum += c.bufferedBytes();
        }
        return sum;
    }

    /** The columns' part in a row group: their pages are already in the page store when it ends. */
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
        }

        @Override
        public void releaseRowGroup() {
            // nothing of the row group's is held outside the page store
        }
    }

    private static ColumnDescriptor column(String name) {
        return PeopleSchema.SCHEMA.getColumnDescription(new String[] {name});
    }
}
