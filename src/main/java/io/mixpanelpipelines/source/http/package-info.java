/**
 * The HTTP implementation of the Mixpanel export client: requests, response classification, the one retry
 * loop (backoff, {@code Retry-After}) and the scanner of a body's tail for {@code terminated early}.
 */
package io.mixpanelpipelines.source.http;
