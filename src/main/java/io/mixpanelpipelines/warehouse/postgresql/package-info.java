/**
 * PostgreSQL: a table partitioned by day, each day streamed in with {@code COPY} and swapped in as one
 * partition in one transaction.
 */
package io.mixpanelpipelines.warehouse.postgresql;
