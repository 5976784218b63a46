/**
 * What the commands print: run summaries, plans, partition tables, the status calendar and the summary
 * JSON. Formats facts it is given; starts nothing and never imports a command.
 */
package io.mixpanelpipelines.cli.output;
