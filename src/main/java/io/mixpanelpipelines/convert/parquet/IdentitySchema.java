package io.mixpanelpipelines.convert.parquet;

import static org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit.MICROS;
import static org.apache.parquet.schema.LogicalTypeAnnotation.stringType;
import static org.apache.parquet.schema.LogicalTypeAnnotation.timestampType;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BINARY;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT64;

import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Types;

/**
 * The Parquet schema of the identity mappings dataset (issue 13's fixed contract, shared with the warehouse
 * loaders): {@code distinct_id}, {@code resolved_distinct_id}, {@code first_seen}, all required, in this order.
 */
public final class IdentitySchema {

    public static final String DISTINCT_ID = "distinct_id";
    public static final String RESOLVED_DISTINCT_ID = "resolved_distinct_id";
    public static final String FIRST_SEEN = "first_seen";

    public static final MessageType SCHEMA = Types.buildMessage()
            .required(BINARY).as(stringType()).named(DISTINCT_ID)
            .required(BINARY).as(stringType()).named(RESOLVED_DISTINCT_ID)
            .required(INT64).as(timestampType(true, MICROS)).named(FIRST_SEEN)
            .named("mp_identity_mapping");

    private IdentitySchema() {
    }
}
