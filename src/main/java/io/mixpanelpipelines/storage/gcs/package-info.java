/**
 * Google Cloud Storage: resumable uploads in chunks, an aborted upload is never finalized.
 */
package io.mixpanelpipelines.storage.gcs;
