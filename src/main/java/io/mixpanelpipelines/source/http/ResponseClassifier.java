package io.mixpanelpipelines.source.http;

import io.mixpanelpipelines.source.EngageQuery;
import io.mixpanelpipelines.source.EngageSessionExpiredException;
import io.mixpanelpipelines.source.ExportRequest;
import io.mixpanelpipelines.source.MixpanelAuthenticationException;
import io.mixpanelpipelines.source.MixpanelCredentials;
import io.mixpanelpipelines.source.MixpanelRequestException;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Turns an export response that is not 200 into what it means: a {@link TransientFailure} worth another try
 * (429 with its {@code Retry-After}, 5xx, 408), refused credentials ({@link MixpanelAuthenticationException}:
 * every later request would be refused too), or a request Mixpanel will never accept
 * ({@link MixpanelRequestException}, with the setting to check). Messages never carry the secret. Thread-safe.
 */
final class ResponseClassifier {

    private static final int MAX_ERROR_BODY = 2048;
    private static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(60);

    private final ClientSettings settings;
    private final MixpanelCredentials credentials;
    private final String timezoneHint;

    /** @param timezone the configured project timezone, named when Mixpanel says {@code to_date} is after its today */
    ResponseClassifier(ClientSettings settings, MixpanelCredentials credentials, ZoneId timezone) {
        this.settings = settings;
        this.credentials = credentials;
        this.timezoneHint = timezone.getId();
    }

    RuntimeException classify(int status, String body, String retryAfter, ExportRequest request) {
        String detail = body.isBlank() ? "" : ": " + body.strip();
        String lower = body.toLowerCase(Locale.ROOT);
        RuntimeException common = classifyCommon(status, body, retryAfter);
        if (common != null) {
            return common;
        }
        if (lower.contains("to_date cannot be later than today")) {
            return new MixpanelRequestException("Mixpanel refused to_date " + request.toDate()
                    + ": it is later than today in the project's timezone. mixpanel.timezone is " + timezoneHint
                    + "; set it to the project's timezone (Project Settings in Mixpanel)" + " (HTTP " + status + detail + ")");
        }
        return new MixpanelRequestException("Mixpanel refused the export of " + request.window() + " (HTTP " + status
                + detail + ")");
    }

    /**
     * An engage (profile query) answer that is not 200: as {@link #classify(int, String, String, ExportRequest)},
     * and a 400 about the {@code session_id} means the query's session expired.
     */
    RuntimeException classifyEngage(int status, String body, String retryAfter, EngageQuery query) {
        String detail = body.isBlank() ? "" : ": " + body.strip();
        RuntimeException common = classifyCommon(status, body, retryAfter);
        if (common != null) {
            return common;
        }
        if (status == 400 && query.sessionId() != null && body.toLowerCase(Locale.ROOT).contains("session")) {
            return new EngageSessionExpiredException("the engage session of " + query.label() + " is no longer valid"
                    + " (HTTP 400" + detail + ")");
        }
        return new MixpanelRequestException("Mixpanel refused the profile query " + query.label() + " (HTTP " + status
                + detail + "); check the people section of the job file");
    }

    /** What any Mixpanel API means by a status: a transient failure, refused credentials, a wrong host; else null. */
    private RuntimeException classifyCommon(int status, String body, String retryAfter) {
        String detail = body.isBlank() ? "" : ": " + body.strip();
        String lower = body.toLowerCase(Locale.ROOT);
        if (status == 429) {
            return new TransientFailure("429 rate limited" + detail, parseRetryAfter(retryAfter), true);
        }
        if (status >= 500 || status == 408) {
            return new TransientFailure("HTTP " + status + detail, null, false);
        }
        if (status == 401 || (status == 400 && lower.contains("authenticat"))) {
            return new MixpanelAuthenticationException("Mixpanel refused the credentials of the " + credentials
                    + " (HTTP " + status + detail + "); check that they belong to project " + settings.projectId());
        }
        if (status == 402) {
            return new MixpanelAuthenticationException("Mixpanel says the plan of project " + settings.projectId()
                    + " does not allow API access (HTTP 402" + detail + ")");
        }
        if (status == 403) {
            return new MixpanelAuthenticationException("the " + credentials + " has no access to project "
                    + settings.projectId() + " (HTTP 403" + detail + "); check mixpanel.projectId and the account's role");
        }
        if (status == 404) {
            return new MixpanelRequestException("HTTP 404 from " + settings.baseUrl()
                    + ": check mixpanel.region and mixpanel.apiUrl" + detail);
        }
        return null;
    }

    /** The first 2 KiB of an error response, on one line; empty when there is none. */
    static String errorBody(HttpURLConnection connection) {
        try (InputStream in = connection.getErrorStream()) {
            if (in == null) {
                return "";
            }
            byte[] bytes = in.readNBytes(MAX_ERROR_BODY);
            return new String(bytes, StandardCharsets.UTF_8).replaceAll("[\\r\\n]+", " ");
        } catch (IOException e) {
            return "";
        }
    }

    private static Duration parseRetryAfter(String header) {
        if (header == null || header.isBlank()) {
            return DEFAULT_RETRY_AFTER;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(header.strip())));
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(header.strip(), DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (RuntimeException ignored) {
                return DEFAULT_RETRY_AFTER;
            }
        }
    }
}
