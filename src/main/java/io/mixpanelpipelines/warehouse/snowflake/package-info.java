/**
 * Snowflake: the statements that load a day with {@code COPY INTO} from an external stage over the
 * destination.
 */
package io.mixpanelpipelines.warehouse.snowflake;
