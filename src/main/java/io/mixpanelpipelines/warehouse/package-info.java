/**
 * Loading published days into a warehouse: the loader contract, the load service (which days, replace a
 * day at once, the load ledger) and helpers shared by loaders. It reads days through {@code dataset}.
 */
package io.mixpanelpipelines.warehouse;
