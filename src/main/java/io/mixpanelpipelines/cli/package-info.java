/**
 * The command line's entry point: {@code Main}, the root command and the exit codes.
 * It may use every package below it; the commands themselves live in {@code cli.command}.
 */
package io.mixpanelpipelines.cli;
