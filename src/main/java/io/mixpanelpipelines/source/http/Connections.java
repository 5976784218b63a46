package io.mixpanelpipelines.source.http;

import io.mixpanelpipelines.source.MixpanelCredentials;
import io.mixpanelpipelines.source.RequestRecorder;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;

/**
 * What the export and engage requests share: how a connection to Mixpanel is opened (timeouts, no caches or
 * redirects, Basic auth, gzip, no keep-alive) and how a connection that failed is recorded and retried.
 * Stateless.
 */
final class Connections {

    private Connections() {
    }

    /**
     * A connection to {@code uri}, not yet connected.
     *
     * @param accept the {@code Accept} header
     */
    static HttpURLConnection open(URI uri, ClientSettings settings, MixpanelCredentials credentials, String accept)
            throws IOException {
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        connection.setConnectTimeout((int) settings.connectTimeout().toMillis());
        connection.setReadTimeout((int) settings.readTimeout().toMillis());
        connection.setUseCaches(false);
        connection.setInstanceFollowRedirects(false);
        connection.setRequestProperty("Authorization", credentials.authorizationHeader());
        connection.setRequestProperty("Accept-Encoding", "gzip");
        connection.setRequestProperty("Accept", accept);
        // No keep-alive: HttpURLConnection silently re-sends a request over a stale pooled connection,
        // which would spend a request the budget never saw.
        connection.setRequestProperty("Connection", "close");
        connection.setRequestProperty("User-Agent", "mixpanel-pipelines");
        return connection;
    }

    /** Records the attempt {@code requestId} as a timeout or a connection error; the failure to throw. */
    static TransientFailure failed(IOException e, RequestRecorder recorder, long requestId, ClientSettings settings) {
        if (e instanceof SocketTimeoutException) {
            recorder.completed(requestId, 0, "timeout", 0);
            return new TransientFailure("no response within " + settings.readTimeout().toSeconds() + " s", null, false);
        }
        recorder.completed(requestId, 0, "connection-error", 0);
        return new TransientFailure("connection failed: " + BodyReceiver.describe(e), null, false);
    }
}
