package io.mixpanelpipelines.convert.parquet;

import io.mixpanelpipelines.convert.json.ParsedEvent;
import io.mixpanelpipelines.convert.json.Utf8Text;
import io.mixpanelpipelines.storage.OutputFile;
import java.io.Closeable;
import java.io.IOException;
import java.util.Map;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetWriter;

/**
 * Writes {@link ParsedEvent}s to one Parquet file in {@link EventSchema}, streaming through our storage
 * (no local copy for object stores). The file appears at its location only on {@link #close()}; after any
 * failure the caller must call {@link #abort()} instead, which discards it.
 *
 * <p>Values go straight into pages ({@link ColumnEncoder}); the pages are compressed on worker threads
 * while encoding goes on ({@link PageCompressor}, at most {@value PagesAhead#PAGES_AHEAD} pages ahead); parquet-java
 * buffers the row group and writes the file's structure: page headers and checksums, column and offset
 * indexes, statistics and the footer. Its record layer is not used: for this fixed, flat schema it cost more CPU
 * than everything else on the writing thread except compression.
 *
 * <p>Dictionary encoding is on for the low-cardinality columns (event name and the user/device ids) and
 * off for the ones that are nearly unique per row ({@code time}, {@code insert_id},
 * {@code mp_processing_time}, {@code properties}), where a dictionary only costs memory and a fallback.
 * Min/max statistics are not kept for {@code properties}: they are meaningless for JSON and would copy
 * large values.
 *
 * <p>Not thread-safe. Not restartable: a failed file is aborted and written again from the start.
 */
public final class EventParquetWriter implements Closeable {
    /**
     * Compression threads per writer: two, so that either core can take compression when the other
     * stages of the day are waiting (measured on 2 cores: one thread gained nothing, three no more than two).
     */
    private static final int COMPRESSION_THREADS = 2;

    private static final Map<String, String> FOOTER_METADATA = Map.of(
            EventSchema.VERSION_KEY, Integer.toString(EventSchema.SCHEMA_VERSION),
            ParquetWriter.OBJECT_MODEL_NAME_PROP, "mixpanel-pipelines");

    private final ParquetFileLifecycle file;
    private final PageCompressor compressor;
    private final PagesAhead pages;
    private final long rowGroupSize;

    private final DictionaryColumnEncoder eventName;
    private final Int64ColumnEncoder time;
    private final DictionaryColumnEncoder distinctId;
    private final BytesColumnEncoder insertId;
    private final DictionaryColumnEncoder deviceId;
    private final DictionaryColumnEncoder userId;
    private final Int64ColumnEncoder mpProcessingTime;
    private final BytesColumnEncoder propertiesJson;
    private final ColumnEncoder[] columns;

    /**
     * Buffers that one writer after another can reuse: the row group's compressed pages and the direct
     * buffers pages are compressed into. A day's parts share them, so each part does not allocate them
     * afresh (which, once the part was closed, was garbage for full collections). For one writer at a time;
     * {@link BufferPool} hands out a fixed number of them.
     */
    public static final class Buffers {
        private final RecyclingAllocator allocator;
        private final PageCompressor.Outputs compressed = new PageCompressor.Outputs();

        public Buffers(ParquetWriterOptions options) {
            // a row group's worth and a quarter, in use and pooled together: what the next row group needs
            // again, never a pool on top of a row group in use
            this.allocator = new RecyclingAllocator(options.rowGroupSize() + options.rowGroupSize() / 4);
        }
    }

    /** Opens the file; nothing is visible at its location until {@link #close()}. */
    public EventParquetWriter(OutputFile outputFile, ParquetWriterOptions options) throws IOException {
        this(outputFile, options, new Buffers(options));
    }

    /** Opens the file, with buffers that earlier writers left (not used by another writer meanwhile). */
    public EventParquetWriter(OutputFile outputFile, ParquetWriterOptions options, Buffers buffers) throws IOException {
        ParquetIO io = new ParquetIO(outputFile);
        this.rowGroupSize = options.rowGroupSize();
        RecyclingAllocator allocator = buffers.allocator;
        int pageSize = options.pageSize();
        this.compressor = new PageCompressor(ParquetFileLifecycle.codecName(options.codec()), options.zstdLevel(),
                COMPRESSION_THREADS, buffers.compressed);
        this.pages = new PagesAhead(compressor);
        this.eventName = new DictionaryColumnEncoder(column(EventSchema.EVENT_NAME), pageSize, pageSize, pages);
        this.time = new Int64ColumnEncoder(column(EventSchema.TIME), pageSize, pages);
        this.distinctId = new DictionaryColumnEncoder(column(EventSchema.DISTINCT_ID), pageSize, pageSize, pages);
        this.insertId = new BytesColumnEncoder(column(EventSchema.INSERT_ID), pageSize, true, pages);
        this.deviceId = new DictionaryColumnEncoder(column(EventSchema.DEVICE_ID), pageSize, pageSize, pages);
        this.userId = new DictionaryColumnEncoder(column(EventSchema.USER_ID), pageSize, pageSize, pages);
        this.mpProcessingTime = new Int64ColumnEncoder(column(EventSchema.MP_PROCESSING_TIME), pageSize, pages);
        this.propertiesJson = new BytesColumnEncoder(column(EventSchema.PROPERTIES), pageSize, false, pages);
        this.columns = new ColumnEncoder[] {
            eventName, time, distinctId, insertId, deviceId, userId, mpProcessingTime, propertiesJson};
        ParquetProperties properties = ParquetProperties.builder()
                .withPageSize(pageSize)
                .withDictionaryPageSize(pageSize)
                .withAllocator(allocator)
                .withStatisticsEnabled(EventSchema.PROPERTIES, false)
                .withSizeStatisticsEnabled(EventSchema.PROPERTIES, false)
                .build();
        this.file = new ParquetFileLifecycle(io, EventSchema.SCHEMA, rowGroupSize, properties, allocator, compressor,
                FOOTER_METADATA, new RowGroups());
    }

    /**
     * Appends one event. Same as {@link #write(ParsedEvent)}: the event knows the buffer of its properties
     * (the line it was parsed from, or its own repaired copy), so {@code lineBuffer} is not needed; the form
     * stays for the callers that pass it.
     */
    public void write(ParsedEvent event, byte[] lineBuffer) throws IOException {
        write(event);
    }

    /**
     * Appends one event. Its {@link ParsedEvent#propertiesBuffer() properties slice} is copied into the page,
     * so the line buffer may be reused once this returns.
     */
    public void write(ParsedEvent event) throws IOException {
        file.ensureWritable();
        if (!event.eventNameText().present()) {
            throw new IllegalArgumentException("an event without a name cannot be written");
        }
        try {
            text(eventName, event.eventNameText());
            time.add(event.timeMicros());
            text(distinctId, event.distinctIdText());
            text(insertId, event.insertIdText());
            text(deviceId, event.deviceIdText());
            text(userId, event.userIdText());
            if (event.hasMpProcessingTime()) {
                mpProcessingTime.add(event.mpProcessingTimeMicrosRaw());
            } else {
                mpProcessingTime.addNull();
            }
            if (event.propertiesOffset() >= 0) {
                propertiesJson.add(event.propertiesBuffer(), event.propertiesOffset(), event.propertiesLength());
            } else {
                propertiesJson.addNull();
            }
            file.rowWritten();
            if (bufferedBytes() >= rowGroupSize) {
                file.nextRowGroup();
            }
        } catch (IOException | RuntimeException e) {
            file.failed(); // the columns may now disagree on the row count: only abort() is left
            throw e;
        }
    }

    private static void text(BytesColumnEncoder column, Utf8Text value) throws IOException {
        if (value.present()) {
            column.add(value.bytes(), value.offset(), value.length());
        } else {
            column.addNull();
        }
    }

    /** Rows written so far. */
    public long rows() {
        return file.rows();
    }

    /** Bytes written to the file plus bytes buffered for the current row group: for rolling at a size. */
    public long dataSize() {
        return file.rowGroupsEnd() + bufferedBytes();
    }

    /** The size of the finished file in bytes, footer included (valid after {@link #close()}). */
    public long fileSize() throws IOException {
        return file.position();
    }

    /** Writes the footer and publishes the file at its location. */
    @Override
    public void close() throws IOException {
        file.close();
    }

    /** Discards the file: nothing appears at its location. Safe to call after a failure, and twice. */
    public void abort() {
        file.abort();
    }

    private long bufferedBytes() {
        long sum = pages.bytes();
        for (ColumnEncoder c : columns) {
            sum += c.bufferedBytes();
        }
        return sum;
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
        return EventSchema.SCHEMA.getColumnDescription(new String[] {name});
    }
}
