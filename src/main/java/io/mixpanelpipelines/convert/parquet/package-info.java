/**
 * From parsed events to Parquet: the event writer, its column encoders, page compression and the buffers
 * they share. It writes through {@code storage}'s output files and reads {@code convert.json}'s events;
 * parquet-java is used without Hadoop.
 */
package io.mixpanelpipelines.convert.parquet;
