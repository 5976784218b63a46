package io.mixpanelpipelines.source.http;

import io.mixpanelpipelines.source.EngageClient;
import io.mixpanelpipelines.source.EngagePage;
import io.mixpanelpipelines.source.EngageQuery;
import io.mixpanelpipelines.source.ExportRequest;
import io.mixpanelpipelines.source.MixpanelAuthenticationException;
import io.mixpanelpipelines.source.MixpanelCredentials;
import io.mixpanelpipelines.source.MixpanelRateLimitedException;
import io.mixpanelpipelines.source.MixpanelUnavailableException;
import io.mixpanelpipelines.source.RequestRecorder;
import io.mixpanelpipelines.source.Sleeper;
import io.mixpanelpipelines.source.gzip.GzipDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneId;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engage client over real HTTP: {@code POST {host}/api/query/engage?project_id=...} with a form body,
 * Basic auth like the export client (a service account sends {@code project_id}). Every attempt is recorded
 * in the Query API budget before it is sent ({@link RequestRecorder}, which throws when the budget is
 * spent). Transient failures (connection errors, timeouts, 5xx, 429, a cut or unreadable body) are retried
 * with the export client's backoff ({@link Backoff}); the other statuses are judged by the export client's
 * {@link ResponseClassifier}. Once Mixpanel refused the credentials, later calls fail without a request.
 * Thread-safe.
 */
public final class HttpEngageClient implements EngageClient {

    private static final Logger log = LoggerFactory.getLogger(HttpEngageClient.class);
    static final String PATH = "/api/query/engage";

    private final ClientSettings settings;
    private final MixpanelCredentials credentials;
    private final RequestRecorder recorder;
    private final Sleeper sleeper;
    private final ResponseClassifier classifier;
    private final AtomicReference<MixpanelAuthenticationException> refused = new AtomicReference<>();

    /** @param settings {@code baseUrl} is the Query API host ({@code https://mixpanel.com} or the region's) */
    public HttpEngageClient(ClientSettings settings, MixpanelCredentials credentials, RequestRecorder recorder,
            Sleeper sleeper, ZoneId timezone) {
        this.settings = settings;
        this.credentials = credentials;
        this.recorder = recorder;
        this.sleeper = sleeper;
        this.classifier = new ResponseClassifier(settings, credentials, timezone);
    }

    @Override
    public EngagePage fetch(EngageQuery query) {
        for (int attempt = 1; ; attempt++) {
            MixpanelAuthenticationException earlier = refused.get();
            if (earlier != null) {
                throw new MixpanelAuthenticationException(earlier.getMessage() + " (not requesting " + query.label() + ")");
            }
            TransientFailure failure;
            try {
                return attempt(query, attempt);
            } catch (TransientFailure t) {
                failure = t;
            } catch (MixpanelAuthenticationException e) {
                refused.compareAndSet(null, e);
                throw e;
            }
            if (attempt >= settings.maxAttempts()) {
                String message = "profile query " + query.label() + " failed after " + attempt + " attempts; last: "
                        + failure.getMessage();
                throw failure.rateLimited ? new MixpanelRateLimitedException(message, failure)
                        : new MixpanelUnavailableException(message, failure);
            }
            Duration wait = Backoff.wait(settings, attempt, failure.retryAfter);
            log.warn("profile query {} attempt {}/{} failed: {}; retrying in {} ms", query.label(), attempt,
                    settings.maxAttempts(), failure.getMessage(), wait.toMillis());
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MixpanelUnavailableException("interrupted while waiting to retry " + query.label(), e);
            }
        }
    }

    private EngagePage attempt(EngageQuery query, int attempt) {
        byte[] form = form(query).getBytes(StandardCharsets.US_ASCII);
        long requestId = recorder.beforeSend(ExportRequest.days(query.snapshotDate(), query.snapshotDate(), false), attempt);
        HttpURLConnection connection = null;
        try {
            connection = (HttpURLConnection) uri().toURL().openConnection();
            connection.setConnectTimeout((int) settings.connectTimeout().toMillis());
            connection.setReadTimeout((int) settings.readTimeout().toMillis());
            connection.setUseCaches(false);
            connection.setInstanceFollowRedirects(false);
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            connection.setRequestProperty("Authorization", credentials.authorizationHeader());
            connection.setRequestProperty("Content-Type", "application/x-www-form-urlencoded");
            connection.setRequestProperty("Accept", "application/json");
            connection.setRequestProperty("Accept-Encoding", "gzip");
            // as for the export: a silently re-sent request over a stale connection would escape the budget
            connection.setRequestProperty("Connection", "close");
            connection.setRequestProperty("User-Agent", "mixpanel-pipelines");
            connection.setFixedLengthStreamingMode(form.length);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(form);
            }
            int status = connection.getResponseCode();
            if (status != 200) {
                String body = ResponseClassifier.errorBody(connection);
                recorder.completed(requestId, status, "http-" + status, body.length());
                throw classifier.classifyEngage(status, body, connection.getHeaderField("Retry-After"), query);
            }
            byte[] body;
            try (InputStream raw = connection.getInputStream();
                    InputStream in = "gzip".equalsIgnoreCase(connection.getContentEncoding()) ? GzipDecoder.open(raw, 1 << 16) : raw) {
                body = in.readAllBytes();
            }
            EngagePage page;
            try {
                page = EngagePage.parse(body);
            } catch (IllegalArgumentException e) {
                recorder.completed(requestId, status, "unreadable", body.length);
                throw new TransientFailure("the answer is not a whole engage page: " + e.getMessage(), null, false);
            }
            recorder.completed(requestId, status, "ok", body.length);
            return page;
        } catch (SocketTimeoutException e) {
            recorder.completed(requestId, 0, "timeout", 0);
            throw new TransientFailure("no response within " + settings.readTimeout().toSeconds() + " s", null, false);
        } catch (IOException e) {
            recorder.completed(requestId, 0, "connection-error", 0);
            throw new TransientFailure("connection failed: " + BodyReceiver.describe(e), null, false);
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    URI uri() {
        String base = settings.baseUrl().toString();
        String q = credentials.serviceAccount() ? "?project_id=" + enc(settings.projectId()) : "";
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + PATH + q);
    }

    /** The form body: only the parameters the query sets, as Mixpanel documents them. */
    static String form(EngageQuery q) {
        StringBuilder f = new StringBuilder();
        param(f, "where", q.where());
        if (!q.outputProperties().isEmpty()) {
            StringBuilder names = new StringBuilder("[");
            for (String name : q.outputProperties()) {
                names.append(names.length() > 1 ? "," : "").append('"')
                        .append(name.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
            param(f, "output_properties", names.append(']').toString());
        }
        param(f, "filter_by_cohort", q.filterByCohort());
        param(f, "include_all_users", q.includeAllUsers() == null ? null : q.includeAllUsers().toString());
        param(f, "data_group_id", q.dataGroupId());
        param(f, "session_id", q.sessionId());
        param(f, "page", Integer.toString(q.page()));
        return f.toString();
    }

    private static void param(StringBuilder f, String name, String value) {
        if (value != null) {
            f.append(f.isEmpty() ? "" : "&").append(name).append('=').append(enc(value));
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
