/**
 * Choosing and building the loader a job's {@code warehouse} section names: the one place that knows
 * every warehouse technology.
 */
package io.mixpanelpipelines.warehouse.support;
