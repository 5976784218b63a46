/**
 * Spring Batch wiring of an export run and the day step (its reader, writer, checkpoint and completion),
 * and the export service that plans, runs and resumes it. It may use every stage below it: plan, warehouse,
 * dataset, ingest, convert, state, source, config and storage.
 */
package io.mixpanelpipelines.job;
