/**
 * From a response body to batches of lines: the streamed hand-off while a body downloads, the spool line
 * reader, splitting a multi-day body by day, line hashing and rejected lines. It uses {@code source}'s
 * spools and {@code convert.json} to parse lines on its threads.
 */
package io.mixpanelpipelines.ingest;
