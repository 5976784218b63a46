package io.mixpanelpipelines.source.http;

import io.mixpanelpipelines.source.EngageClient;
import io.mixpanelpipelines.source.EngagePage;
import io.mixpanelpipelines.source.EngageQuery;
import io.mixpanelpipelines.source.ExportRequest;
import io.mixpanelpipelines.source.MixpanelCredentials;
import io.mixpanelpipelines.source.RequestRecorder;
import io.mixpanelpipelines.source.Sleeper;
import io.mixpanelpipelines.source.gzip.GzipDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engage client over real HTTP: {@code POST {host}/api/query/engage?project_id=...} with a form body,
 * Basic auth like the export client (a service account sends {@code project_id}). Every attempt is recorded
 * in the Query API budget before it is sent ({@link RequestRecorder}, which throws when the budget is
 * spent). Transient failures (connection errors, timeouts, 5xx, 429, a cut or unreadable body) are retried
 * in the export client's {@link RetryLoop} (its backoff, {@link Backoff}); the other statuses are judged by the export client's
 * {@link ResponseClassifier}. Once Mixpanel refused the credentials, later calls fail without a request.
 * Thread-safe.
 */
public final class HttpEngageClient implements EngageClient {

    private static final Logger log = LoggerFactory.getLogger(HttpEngageClient.class);
    static final String PATH = "/api/query/engage";

    private final ClientSettings settings;
    private final MixpanelCredentials credentials;
    private final RequestRecorder recorder;
    private final ResponseClassifier classifier;
    private final RetryLoop retries;

    /** @param settings {@code baseUrl} is the Query API host ({@code https://mixpanel.com} or the region's) */
    public HttpEngageClient(ClientSettings settings, MixpanelCredentials credentials, RequestRecorder recorder,
            Sleeper sleeper, ZoneId timezone) {
        this.settings = settings;
        this.credentials = credentials;
        this.recorder = recorder;
        this.retries = new RetryLoop(settings, sleeper, log);
        this.classifier = new ResponseClassifier(settings, credentials, timezone);
    }

    @Override
    public EngagePage fetch(EngageQuery query) {
        String label = query.label();
        return retries.run(label, "profile query " + label, "profile query " + label, attempt -> attempt(query, attempt));
    }

    private EngagePage attempt(EngageQuery query, int attempt) {
        byte[] form = form(query).getBytes(StandardCharsets.US_ASCII);
        long requestId = recorder.beforeSend(ExportRequest.days(query.snapshotDate(), query.snapshotDate(), false), attempt);
        HttpURLConnection connection = null;
        try {
            connection = Connections.open(uri(), settings, credentials, "application/json");
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            connection.setRequestProperty("Content-Type", "application/x-www-form-urlencoded");
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
        } catch (IOException e) {
            throw Connections.failed(e, recorder, requestId, settings);
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
