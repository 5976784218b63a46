package io.mixpanelpipelines.convert.parquet;

import static org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit.MICROS;
import static org.apache.parquet.schema.LogicalTypeAnnotation.jsonType;
import static org.apache.parquet.schema.LogicalTypeAnnotation.stringType;
import static org.apache.parquet.schema.LogicalTypeAnnotation.timestampType;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BINARY;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT64;

import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Types;

/**
 * The Parquet schema of the events table. The column names are those of Mixpanel Data Pipelines (a
 * contract: warehouses and users' queries depend on them); changing a column means a new
 * {@link #SCHEMA_VERSION}.
 */
public final class EventSchema {

    /** Version of this schema, stored in every file's key-value metadata under {@link #VERSION_KEY}. */
    public static final int SCHEMA_VERSION = 1;

    /** Footer key-value metadata key holding {@link #SCHEMA_VERSION}. */
    public static final String VERSION_KEY = "mixpanel_pipelines.schema_version";

    public static final String EVENT_NAME = "event_name";
    public static final String TIME = "time";
    public static final String DISTINCT_ID = "distinct_id";
    public static final String INSERT_ID = "insert_id";
    public static final String DEVICE_ID = "device_id";
    public static final String USER_ID = "user_id";
    public static final String MP_PROCESSING_TIME = "mp_processing_time";
    public static final String PROPERTIES = "properties";

    /** The message type; field indexes follow the declaration order above. */
    public static final MessageType SCHEMA = Types.buildMessage()
            .required(BINARY).as(stringType()).named(EVENT_NAME)
            .required(INT64).as(timestampType(true, MICROS)).named(TIME)
            .optional(BINARY).as(stringType()).named(DISTINCT_ID)
            .optional(BINARY).as(stringType()).named(INSERT_ID)
            .optional(BINARY).as(stringType()).named(DEVICE_ID)
            .optional(BINARY).as(stringType()).named(USER_ID)
            .optional(INT64).as(timestampType(true, MICROS)).named(MP_PROCESSING_TIME)
            .optional(BINARY).as(jsonType()).named(PROPERTIES)
            .named("mp_event");

    private EventSchema() {
    }
}
