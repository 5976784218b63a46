/**
 * One class per command of the command line (export, plan, status, rerun, load, schedule, simulate), the
 * option groups they share, and what they print (run summaries, the status calendar). Commands only parse
 * options, call the services below them and turn the outcome into output and an exit code.
 */
package io.mixpanelpipelines.cli.command;
