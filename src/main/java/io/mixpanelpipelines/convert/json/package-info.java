/**
 * From one line of Mixpanel's export to a {@link io.mixpanelpipelines.convert.json.ParsedEvent}: an
 * allocation-free JSON scanner and the Mixpanel event parser that keeps {@code properties} byte-exact.
 * It uses nothing of this project.
 */
package io.mixpanelpipelines.convert.json;
