/**
 * Amazon Redshift: the statements that load a day from S3 (COPY ... FORMAT PARQUET).
 */
package io.mixpanelpipelines.warehouse.redshift;
