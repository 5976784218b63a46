package io.mixpanelpipelines.convert;

import io.mixpanelpipelines.storage.OutputFile;
import java.io.Closeable;
import java.io.IOException;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Writes {@link ParsedEvent}s to one Parquet file in {@link EventSchema}, streaming through our storage
 * (no local copy for object stores). The file appears at its location only on {@link #close()}; after any
 * failure the caller must call {@link #abort()} instead, which discards it.
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

    private final ParquetIO file;
    private final HadoopFreeCodecFactory codecs;
    private final EventWriteSupport writeSupport = new EventWriteSupport();
    private final ParquetWriter<ParsedEvent> writer;
    private long rows;
    private boolean done;

    /** Opens the file; nothing is visible at its location until {@link #close()}. */
    public EventParquetWriter(OutputFile outputFile, ParquetWriterOptions options) throws IOException {
        this.file = new ParquetIO(outputFile);
        this.codecs = new HadoopFreeCodecFactory(options.zstdLevel());
        try {
            this.writer = new Builder(file, writeSupport)
                    .withConf(new PlainParquetConfiguration())
                    .withCodecFactory(codecs)
                    .withAllocator(new RecyclingAllocator(2 * options.rowGroupSize()))
                    .withCompressionCodec(codecName(options.codec()))
                    .withRowGroupSize(options.rowGroupSize())
                    .withPageSize(options.pageSize())
                    .withDictionaryPageSize(options.pageSize())
                    .withDictionaryEncoding(true)
                    .withDictionaryEncoding(EventSchema.TIME, false)
                    .withDictionaryEncoding(EventSchema.INSERT_ID, false)
                    .withDictionaryEncoding(EventSchema.MP_PROCESSING_TIME, false)
                    .withDictionaryEncoding(EventSchema.PROPERTIES, false)
                    .withStatisticsEnabled(EventSchema.PROPERTIES, false)
                    .withSizeStatisticsEnabled(EventSchema.PROPERTIES, false)
                    .build();
        } catch (IOException | RuntimeException e) {
            file.abort();
            codecs.release();
            throw e;
        }
    }

    /**
     * Appends one event. {@code lineBuffer} is the buffer the event was parsed from: its properties slice
     * is written from there without a copy.
     */
    public void write(ParsedEvent event, byte[] lineBuffer) throws IOException {
        if (done) {
            throw new IllegalStateException("writer for " + file.getPath() + " is already closed");
        }
        writeSupport.setLine(lineBuffer);
        writer.write(event);
        rows++;
    }

    /** Rows written so far. */
    public long rows() {
        return rows;
    }

    /** Bytes written to the file plus bytes buffered for the current row group: for rolling at a size. */
    public long dataSize() {
        return writer.getDataSize();
    }

    /** The size of the finished file in bytes, footer included (valid after {@link #close()}). */
    public long fileSize() throws IOException {
        return file.position();
    }

    /** Writes the footer and publishes the file at its location. */
    @Override
    public void close() throws IOException {
        if (done) {
            return;
        }
        done = true;
        try {
            writer.close();
        } catch (IOException | RuntimeException e) {
            file.abort();
            throw e;
        } finally {
            codecs.release();
        }
    }

    /** Discards the file: nothing appears at its location. Safe to call after a failure, and twice. */
    public void abort() {
        if (done) {
            return;
        }
        done = true;
        // No writer.close(): it would write a footer into the discarded stream. The buffered pages are
        // plain heap memory, freed with this object; only the native zstd contexts need releasing.
        file.abort();
        codecs.release();
    }

    private static CompressionCodecName codecName(ParquetWriterOptions.Codec codec) {
        return switch (codec) {
            case ZSTD -> CompressionCodecName.ZSTD;
            case SNAPPY -> CompressionCodecName.SNAPPY;
            case UNCOMPRESSED -> CompressionCodecName.UNCOMPRESSED;
        };
    }

    private static final class Builder extends ParquetWriter.Builder<ParsedEvent, Builder> {
        private final EventWriteSupport writeSupport;

        Builder(ParquetIO file, EventWriteSupport writeSupport) {
            super(file);
            this.writeSupport = writeSupport;
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        protected WriteSupport<ParsedEvent> getWriteSupport(ParquetConfiguration conf) {
            return writeSupport;
        }

        /** Required by the abstract class; unused because the builder is given a ParquetConfiguration. */
        @Override
        protected WriteSupport<ParsedEvent> getWriteSupport(org.apache.hadoop.conf.Configuration conf) {
            return writeSupport;
        }
    }
}
