/**
 * Amazon S3 and S3-compatible stores (AWS SDK v2): each file streams into a multipart upload.
 */
package io.mixpanelpipelines.storage.s3;
