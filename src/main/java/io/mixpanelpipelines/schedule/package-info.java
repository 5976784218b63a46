/**
 * The {@code schedule} service: runs every job of a folder on its cron, one run per job across replicas
 * (ShedLock), and exposes Prometheus metrics. It drives {@code job}'s export service.
 */
package io.mixpanelpipelines.schedule;
