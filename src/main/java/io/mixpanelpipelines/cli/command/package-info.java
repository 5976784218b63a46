/**
 * One class per command ({@code export}, {@code plan}, {@code status}, {@code rerun}, {@code load},
 * {@code schedule}, {@code simulate}), their shared option groups, and how a job command starts its Spring
 * application. Uses {@code cli.output} for what it prints and the pipeline's packages below; never {@code cli}.
 */
package io.mixpanelpipelines.cli.command;
