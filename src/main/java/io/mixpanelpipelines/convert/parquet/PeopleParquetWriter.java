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
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

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

    private final ParquetIO file;
    private final PageCompressor compressor;
    private final RecyclingAllocator allocator;
    private final ParquetProperties properties;
    private final ParquetFileWriter fileWriter;
    private final long rowGroupSize;
    private final BytesColumnEncoder distinctId;
    private final BytesColumnEncoder propertiesJson;
    private final Int64ColumnEncoder lastSeen;
    private final ColumnEncoder[] columns;
    private ColumnChunkPageWriteStore pageStore;
    private long rowGroupRows;
    private long rows;
    private boolean failed;
    private boolean done;

    /** Opens the file; nothing is visible at its location until {@link #close()}. */
    public PeopleParquetWriter(OutputFile outputFile, ParquetWriterOptions options) throws IOException {
        this.file = new ParquetIO(outputFile);
        this.rowGroupSize = options.rowGroupSize();
        this.allocator = new RecyclingAllocator(options.rowGroupSize() + options.rowGroupSize() / 4);
        int pageSize = options.pageSize();
        this.distinctId = new BytesColumnEncoder(column(PeopleSchema.DISTINCT_ID), pageSize, true, this);
        this.propertiesJson = new BytesColumnEncoder(column(PeopleSchema.PROPERTIES), pageSize, false, this);
        this.lastSeen = new Int64ColumnEncoder(column(PeopleSchema.LAST_SEEN), pageSize, this);
        this.columns = new ColumnEncoder[] {distinctId, propertiesJson, lastSeen};
        this.properties = ParquetProperties.builder().withPageSize(pageSize).withAllocator(allocator)
                .withStatisticsEnabled(PeopleSchema.PROPERTIES, false)
                .withSizeStatisticsEnabled(PeopleSchema.PROPERTIES, false).build();
        this.compressor = new PageCompressor(codecName(options.codec()), options.zstdLevel(), 1);
        try {
            this.fileWriter = new ParquetFileWriter(file, PeopleSchema.SCHEMA, ParquetFileWriter.Mode.CREATE, rowGroupSize,
                    ParquetWriter.MAX_PADDING_SIZE_DEFAULT, null, properties);
            fileWriter.start();
            startRowGroup();
        } catch (IOException | RuntimeException e) {
            file.abort();
            compressor.release();
            throw e;
        }
    }

    /**
     * Appends one profile.
     *
     * @param properties the {@code $properties} bytes as served, {@code [offset, offset + length)}
     * @param lastSeenMicros {@code last_seen}, or null when absent or unparsable
     */
    public void write(String id, byte[] properties, int offset, int length, Long lastSeenMicros) throws IOException {
        if (done || failed) {
            throw new IllegalStateException("writer for " + file.getPath() + " is already " + (done ? "closed" : "failed"));
        }
        try {
            byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
            distinctId.add(idBytes, 0, idBytes.length);
            propertiesJson.add(properties, offset, length);
            if (lastSeenMicros == null) {
                lastSeen.addNull();
            } else {
                lastSeen.add(lastSeenMicros);
            }
            rows++;
            rowGroupRows++;
            if (bufferedBytes() >= rowGroupSize) {
                flushRowGroup();
                startRowGroup();
            }
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    public long rows() {
        return rows;
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
            fileWriter.end(FOOTER_METADATA);
        } catch (IOException | RuntimeException e) {
            file.abort();
            throw e;
        } finally {
            releaseRowGroup();
            compressor.release();
        }
    }

    /** Discards the file. Safe after a failure, and twice. */
    public void abort() {
        if (done) {
            return;
        }
        done = true;
        file.abort();
        releaseRowGroup();
        compressor.release();
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

    private void startRowGroup() {
        pageStore = new ColumnChunkPageWriteStore(compressor, PeopleSchema.SCHEMA, allocator,
                properties.getColumnIndexTruncateLength(), properties.getPageWriteChecksumEnabled());
        for (ColumnEncoder c : columns) {
            c.startChunk(pageStore.getPageWriter(c.column));
        }
        rowGroupRows = 0;
    }

    private void flushRowGroup() throws IOException {
        for (ColumnEncoder c : columns) {
            c.endChunk();
        }
        fileWriter.startBlock(rowGroupRows);
        pageStore.flushToFileWriter(fileWriter);
        fileWriter.endBlock();
        releaseRowGroup();
    }

    private void releaseRowGroup() {
        if (pageStore != null) {
            pageStore.close();
            pageStore = null;
        }
    }

    private static ColumnDescriptor column(String name) {
        return PeopleSchema.SCHEMA.getColumnDescription(new String[] {name});
    }

    private static CompressionCodecName codecName(ParquetWriterOptions.Codec codec) {
        return switch (codec) {
            case ZSTD -> CompressionCodecName.ZSTD;
            case SNAPPY -> CompressionCodecName.SNAPPY;
            case UNCOMPRESSED -> CompressionCodecName.UNCOMPRESSED;
        };
    }
}
