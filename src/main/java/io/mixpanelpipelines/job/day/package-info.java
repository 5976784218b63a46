/**
 * One day's worker step of the export job: the item reader (the day's body in parsed line batches), the
 * item writer (Parquet parts rolled at the part size, rejected lines), the checkpoint it saves at every chunk
 * commit, the stream that opens the day in order, and the day's completion (publish, or "unchanged"). It
 * uses {@code dataset}, {@code ingest}, {@code convert}, {@code state}, {@code source}, {@code config} and
 * {@code storage}; never {@code job} above it, which wires it.
 */
package io.mixpanelpipelines.job.day;
