/**
 * Opening the storage a location names: the one place that dispatches on a location's scheme to a
 * technology.
 */
package io.mixpanelpipelines.storage.support;
