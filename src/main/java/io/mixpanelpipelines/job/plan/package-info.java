/**
 * Planning an export: which days a run needs (new days, lookback, failures), the request windows they are
 * fetched in, and day ranges. Pure logic over {@code config} and {@code state} records: no I/O.
 */
package io.mixpanelpipelines.job.plan;
