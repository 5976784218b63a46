/**
 * Remote partitioning ({@code export.workers: remote}): the queue that carries Spring Batch's partition
 * requests from the manager ({@code export}) to {@code worker} processes through the state database, the
 * workers' heartbeats and claims, and the manager's watch for partitions whose worker died. The job's
 * steps themselves stay in {@code job}; this package knows Spring Batch and Spring Integration, not days.
 */
package io.mixpanelpipelines.job.remote;
