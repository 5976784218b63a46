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
 * The Parquet schema of people and group profiles (issue 13's fixed contract, shared with the warehouse
 * load): {@code distinct_id}, the profile's {@code $properties} as served, and {@code last_seen} parsed
 * from it.
 */
public final class PeopleSchema {

    public static final String DISTINCT_ID = "distinct_id";
    public static final String PROPERTIES = "properties";
    public static final String LAST_SEEN = "last_seen";

    /** The message type; field indexes follow the declaration order above. */
    public static final MessageType SCHEMA = Types.buildMessage()
            .required(BINARY).as(stringType()).named(DISTINCT_ID)
            .optional(BINARY).as(jsonType()).named(PROPERTIES)
            .optional(INT64).as(timestampType(true, MICROS)).named(LAST_SEEN)
            .named("mp_profile");

    private PeopleSchema() {
    }
}
