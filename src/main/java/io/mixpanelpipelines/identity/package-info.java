/**
 * Issue 13's identity mappings dataset, derived from the exported events: the rules that turn an event into
 * candidate mappings (Simplified and Original ID Merge), a day's candidates, their layout under the
 * destination, the publisher that replaces a day's mappings atomically after its events, and the rebuild of
 * a day's mappings from its published Parquet. Uses {@code dataset}, {@code convert} and {@code storage}.
 */
package io.mixpanelpipelines.identity;
