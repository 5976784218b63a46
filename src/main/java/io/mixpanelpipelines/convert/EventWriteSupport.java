package io.mixpanelpipelines.convert;

import java.util.Map;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;

/**
 * Maps a {@link ParsedEvent} onto {@link EventSchema}. Text goes to Parquet as a view of the bytes it
 * already lives in ({@link Binary#fromReusedByteArray}: parquet copies whatever it keeps, such as
 * dictionary entries and min/max statistics), so no String is built on the write path.
 */
final class EventWriteSupport extends WriteSupport<ParsedEvent> {

    private RecordConsumer consumer;
    private byte[] line;

    /** The buffer the next event's properties slice points into. */
    void setLine(byte[] lineBuffer) {
        this.line = lineBuffer;
    }

    @Override
    public WriteContext init(ParquetConfiguration configuration) {
        return new WriteContext(EventSchema.SCHEMA,
                Map.of(EventSchema.VERSION_KEY, Integer.toString(EventSchema.SCHEMA_VERSION)));
    }

    /** Required by the abstract class; never called because the writer is built with a ParquetConfiguration. */
    @Override
    public WriteContext init(org.apache.hadoop.conf.Configuration configuration) {
        return init((ParquetConfiguration) null);
    }

    @Override
    public String getName() {
        return "mixpanel-pipelines";
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
        this.consumer = recordConsumer;
    }

    @Override
    public void write(ParsedEvent event) {
        RecordConsumer c = consumer;
        c.startMessage();
        text(0, EventSchema.EVENT_NAME, event.eventName);
        c.startField(EventSchema.TIME, 1);
        c.addLong(event.timeMicros);
        c.endField(EventSchema.TIME, 1);
        text(2, EventSchema.DISTINCT_ID, event.distinctId);
        text(3, EventSchema.INSERT_ID, event.insertId);
        text(4, EventSchema.DEVICE_ID, event.deviceId);
        text(5, EventSchema.USER_ID, event.userId);
        if (event.hasMpProcessingTime) {
            c.startField(EventSchema.MP_PROCESSING_TIME, 6);
            c.addLong(event.mpProcessingTimeMicros);
            c.endField(EventSchema.MP_PROCESSING_TIME, 6);
        }
        if (event.propertiesOffset >= 0) {
            c.startField(EventSchema.PROPERTIES, 7);
            c.addBinary(Binary.fromReusedByteArray(line, event.propertiesOffset, event.propertiesLength));
            c.endField(EventSchema.PROPERTIES, 7);
        }
        c.endMessage();
    }

    private void text(int index, String name, Utf8Text value) {
        if (value.present()) {
            consumer.startField(name, index);
            consumer.addBinary(Binary.fromReusedByteArray(value.bytes(), value.offset(), value.length()));
            consumer.endField(name, index);
        }
    }
}
