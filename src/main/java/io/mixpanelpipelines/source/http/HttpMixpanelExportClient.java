package io.mixpanelpipelines.source.http;

import io.mixpanelpipelines.source.Sleeper;
import io.mixpanelpipelines.source.BodySink;
import io.mixpanelpipelines.source.ExportRequest;
import io.mixpanelpipelines.source.MixpanelCredentials;
import io.mixpanelpipelines.source.MixpanelExportClient;
import io.mixpanelpipelines.source.RequestRecorder;
import io.mixpanelpipelines.source.Spool;
import io.mixpanelpipelines.source.SpoolManifest;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The export client over real HTTP ({@link HttpURLConnection}, chosen for its true socket read timeout:
 * a stalled body is noticed within {@code readTimeout}). It builds the request (asking for gzip) and runs it
 * in the clients' {@link RetryLoop}: exponential backoff with jitter, honouring {@code Retry-After} on 429;
 * after {@value RetryLoop#MAX_RATE_LIMIT_REJECTIONS} 429s in one run the rest is deferred (the loop counts them). {@link ResponseClassifier}
 * judges a response that is not 200; {@link BodyReceiver} spools and checks a body.
 *
 * <p>Once Mixpanel has refused the credentials, every later call fails at once without a request: the
 * other days of the run would be refused the same way. Thread-safe.
 */
public final class HttpMixpanelExportClient implements MixpanelExportClient {

    private static final Logger log = LoggerFactory.getLogger(HttpMixpanelExportClient.class);

    private final ClientSettings settings;
    private final MixpanelCredentials credentials;
    private final RequestRecorder recorder;
    private final ResponseClassifier classifier;
    private final BodyReceiver receiver;
    private final RetryLoop retries;

    /**
     * @param timezone the configured project timezone, named when Mixpanel says {@code to_date} is after its today
     */
    public HttpMixpanelExportClient(ClientSettings settings, MixpanelCredentials credentials, RequestRecorder recorder,
            Sleeper sleeper, ZoneId timezone) {
        this.settings = settings;
        this.credentials = credentials;
        this.recorder = recorder;
        this.retries = new RetryLoop(settings, sleeper, log);
        this.classifier = new ResponseClassifier(settings, credentials, timezone);
        this.receiver = new BodyReceiver(settings, recorder);
    }

    @Override
    public SpoolManifest fetch(ExportRequest request, Spool spool, BodySink sink) {
        String window = request.window();
        return retries.run(window, "export " + window, "export of " + window, new RetryLoop.Call<>() {
            @Override
            public SpoolManifest attempt(int attempt) {
                return HttpMixpanelExportClient.this.attempt(request, spool, attempt, sink);
            }

            @Override
            public void failed(TransientFailure failure) {
                sink.abandon(failure.getMessage());
            }
        });
    }

    private SpoolManifest attempt(ExportRequest request, Spool spool, int attempt, BodySink sink) {
        URI uri = uri(request);
        long requestId = recorder.beforeSend(request, attempt);
        HttpURLConnection connection;
        int status;
        try {
            connection = Connections.open(uri, settings, credentials, "application/json, text/plain");
            status = connection.getResponseCode();
        } catch (IOException e) {
            throw Connections.failed(e, recorder, requestId, settings);
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
