/**
 * People and group profiles (issue 13): resumable snapshots read through Mixpanel's engage query within
 * the Query API's own budget, split into independent {@code $last_seen} queries, spooled page by page and
 * checkpointed in the state database, published as Parquet with {@code _SUCCESS} last. Uses
 * {@code dataset}, {@code convert.parquet}, {@code state}, {@code source} and {@code storage}; never {@code job}
 * or the command line.
 */
package io.mixpanelpipelines.people;
