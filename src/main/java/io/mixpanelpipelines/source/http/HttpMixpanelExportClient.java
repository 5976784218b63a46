package io.mixpanelpipelines.source.http;

import io.mixpanelpipelines.source.Sleeper;
import io.mixpanelpipelines.source.BodySink;
import io.mixpanelpipelines.source.ExportRequest;
import io.mixpanelpipelines.source.MixpanelAuthenticationException;
import io.mixpanelpipelines.source.MixpanelCredentials;
import io.mixpanelpipelines.source.MixpanelException;
import io.mixpanelpipelines.source.MixpanelExportClient;
import io.mixpanelpipelines.source.MixpanelRateLimitedException;
import io.mixpanelpipelines.source.MixpanelRequestException;
import io.mixpanelpipelines.source.MixpanelUnavailableException;
import io.mixpanelpipelines.source.RequestRecorder;
import io.mixpanelpipelines.source.Spool;
import io.mixpanelpipelines.source.SpoolManifest;
import java.io.IOException;
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
 * The export client over real HTTP ({@link HttpURLConnection}, chosen for its true socket read timeout:
 * a stalled body is noticed within {@code readTimeout}). It builds the request (asking for gzip) and runs the
 * one retry loop of the project: exponential backoff with jitter, honouring {@code Retry-After} on 429.
 * {@link ResponseClassifier} judges a response that is not 200; {@link BodyReceiver} spools and checks a body.
 *
 * <p>Once Mixpanel has refused the credentials, every later call fails at once without a request: the
 * other days of the run would be refused the same way. Thread-safe.
 */
public final class HttpMixpanelExportClient implements MixpanelExportClient {

    private static final Logger log = LoggerFactory.getLogger(HttpMixpanelExportClient.class);

    private final ClientSettings settings;
    private final MixpanelCredentials credentials;
    private final RequestRecorder recorder;
    private final Sleeper sleeper;
    private final ResponseClassifier classifier;
    private final BodyReceiver receiver;
    /** After this many 429s in one run, Mixpanel's limit is spent by someone else: the rest is deferred. */
    static final int MAX_RATE_LIMIT_REJECTIONS = 3;

    private final AtomicReference<MixpanelException> fatal = new AtomicReference<>();
    private final java.util.concurrent.atomic.AtomicInteger rejections = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * @param timezone the configured project timezone, named when Mixpanel says {@code to_date} is after its today
     */
    public HttpMixpanelExportClient(ClientSettings settings, MixpanelCredentials credentials, RequestRecorder recorder,
            Sleeper sleeper, ZoneId timezone) {
        this.settings = settings;
        this.credentials = credentials;
        this.recorder = recorder;
        this.sleeper = sleeper;
        this.classifier = new ResponseClassifier(settings, credentials, timezone);
        this.receiver = new BodyReceiver(settings, recorder);
    }

    @Override
    public SpoolManifest fetch(ExportRequest request, Spool spool, BodySink sink) {
        for (int attempt = 1; ; attempt++) {
            MixpanelException earlier = fatal.get();
            if (earlier != null) {
                throw earlier instanceof MixpanelAuthenticationException
                        ? new MixpanelAuthenticationException(earlier.getMessage() + " (not requesting " + request.window() + ")")
                        : new MixpanelRequestException(earlier.getMessage());
            }
            if (rejections.get() >= MAX_RATE_LIMIT_REJECTIONS) {
                throw new MixpanelRateLimitedException("Mixpanel answered 429 to " + rejections.get()
                        + " requests of this run: not requesting " + request.window() + " now");
            }
            TransientFailure failure;
            try {
                return attempt(request, spool, attempt, sink);
            } catch (TransientFailure t) {
                failure = t;
                sink.abandon(t.getMessage());
            } catch (MixpanelAuthenticationException e) {
                fatal.compareAndSet(null, e);
                throw e;
            }
            if (failure.rateLimited && rejections.incrementAndGet() >= MAX_RATE_LIMIT_REJECTIONS) {
                throw new MixpanelRateLimitedException("Mixpanel answered 429 to " + MAX_RATE_LIMIT_REJECTIONS
                        + " requests of this run (someone else is spending the project's limit); deferring "
                        + request.window() + "; last: " + failure.getMessage(), failure);
            }
            if (attempt >= settings.maxAttempts()) {
                String message = "export of " + request.window() + " failed after " + attempt + " attempts; last: "
                        + failure.getMessage();
                throw failure.rateLimited ? new MixpanelRateLimitedException(message, failure)
                        : new MixpanelUnavailableException(message, failure);
            }
            Duration wait = Backoff.wait(settings, attempt, failure.retryAfter);
            log.warn("export {} attempt {}/{} failed: {}; retrying in {} ms", request.window(), attempt,
                    settings.maxAttempts(), failure.getMessage(), wait.toMillis());
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MixpanelUnavailableException("interrupted while waiting to retry " + request.window(), e);
            }
        }
    }

    private SpoolManifest attempt(ExportRequest request, Spool spool, int attempt, BodySink sink) {
        URI uri = uri(request);
        long requestId = recorder.beforeSend(request, attempt);
        HttpURLConnection connection;
        int status;
        try {
            connection = (HttpURLConnection) uri.toURL().openConnection();
            connection.setConnectTimeout((int) settings.connectTimeout().toMillis());
            connection.setReadTimeout((int) settings.readTimeout().toMillis());
            connection.setUseCaches(false);
            connection.setInstanceFollowRedirects(false);
            connection.setRequestProperty("Authorization", credentials.authorizationHeader());
            connection.setRequestProperty("Accept-Encoding", "gzip");
            connection.setRequestProperty("Accept", "application/json, text/plain");
            // No keep-alive: HttpURLConnection silently re-sends a GET over a stale pooled connection,
            // which would spend a request the budget never saw.
            connection.setRequestProperty("Connection", "close");
            connection.setRequestProperty("User-Agent", "mixpanel-pipelines");
            status = connection.getResponseCode();
        } catch (SocketTimeoutException e) {
            recorder.completed(requestId, 0, "timeout", 0);
            throw new TransientFailure("no response within " + settings.readTimeout().toSeconds() + " s", null, false);
        } catch (IOException e) {
            recorder.completed(requestId, 0, "connection-error", 0);
            throw new TransientFailure("connection failed: " + BodyReceiver.describe(e), null, false);
        }
        try {
            if (status != 200) {
                String body = ResponseClassifier.errorBody(connection);
                recorder.completed(requestId, status, "http-" + status, body.length());
                throw classifier.classify(status, body, connection.getHeaderField("Retry-After"), request);
            }
            return receiver.receive(request, spool, connection, requestId, sink);
        } finally {
            connection.disconnect();
        }
    }

    URI uri(ExportRequest request) {
        StringBuilder q = new StringBuilder();
        q.append("from_date=").append(request.fromDate()).append("&to_date=").append(request.toDate());
        if (credentials.serviceAccount()) {
            q.append("&project_id=").append(enc(settings.projectId()));
        }
        if (!request.events().isEmpty()) {
            StringBuilder events = new StringBuilder("[");
            for (int i = 0; i < request.events().size(); i++) {
                events.append(i == 0 ? "" : ",").append('"')
                        .append(request.events().get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
            q.append("&event=").append(enc(events.append(']').toString()));
        }
        if (request.where() != null) {
            q.append("&where=").append(enc(request.where()));
        }
        if (request.limit() != null) {
            q.append("&limit=").append(request.limit());
        }
        if (request.timeInMs()) {
            q.append("&time_in_ms=true");
        }
        String base = settings.baseUrl().toString();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/api/2.0/export?" + q);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
