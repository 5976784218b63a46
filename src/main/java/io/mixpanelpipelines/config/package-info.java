/**
 * The job file: binding it into typed settings, defaults, validation (every problem reported at once with
 * its key's path), and the settings of every section, warehouse included. It uses only {@code storage}'s
 * typed locations and technology settings.
 */
package io.mixpanelpipelines.config;
