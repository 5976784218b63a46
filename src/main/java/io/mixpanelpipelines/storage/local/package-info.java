/**
 * The local file system: parts written to a temporary name and renamed into place.
 */
package io.mixpanelpipelines.storage.local;
