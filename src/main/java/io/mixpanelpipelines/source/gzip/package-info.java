/**
 * Decoding gzip: one place that turns a gzip stream or file into its decoded bytes, through ISA-L's
 * {@code igzip} (a child process, several times faster than zlib) when it is installed, else the JDK's
 * {@link java.util.zip.GZIPInputStream}, with the JDK's failure semantics either way. It uses nothing of the
 * project.
 */
package io.mixpanelpipelines.source.gzip;
