package io.mixpanelpipelines.source.http;

import java.net.URI;
import java.time.Duration;

/**
 * Settings of {@link HttpMixpanelExportClient}.
 *
 * @param baseUrl the export host, e.g. {@code https://data.mixpanel.com}; {@code /api/2.0/export} is appended
 * @param readTimeout longest silence on the connection (before the first byte too: large days take minutes)
 * @param maxAttempts tries per request before giving up
 * @param initialBackoff wait after the first transient failure; doubled each time, with jitter
 * @param maxBackoff the longest wait between two tries (a 429's Retry-After is honoured up to this)
 * @param maxLineBytes the longest line accepted (longer lines are kept, and rejected when converting)
 */
public record ClientSettings(URI baseUrl, String projectId, Duration connectTimeout, Duration readTimeout,
        int maxAttempts, Duration initialBackoff, Duration maxBackoff, int maxLineBytes) {

    public static final int DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;
}
