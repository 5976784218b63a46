/**
 * The command line's entry point: {@link io.mixpanelpipelines.cli.Main}, the root command and the mapping
 * of failures to exit codes. It uses {@code cli.command} (one class per command) and nothing above it.
 */
package io.mixpanelpipelines.cli;
