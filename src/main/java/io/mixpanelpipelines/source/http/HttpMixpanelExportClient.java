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
import java.io.BufferedOutputStream;
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
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The export client over real HTTP ({@link HttpURLConnection}, chosen for its true socket read timeout:
 * a stalled body is noticed within {@code readTimeout}). Asks for gzip, saves the body to the spool as
 * it arrives, decodes it on the way to find a {@code terminated early} last line, and retries transient
 * failures with exponential backoff and jitter, honouring {@code Retry-After} on 429.
 *
 * <p>Once Mixpanel has refused the credentials, every later call fails at once without a request: the
 * other days of the run would be refused the same way. Thread-safe.
 */
public final class HttpMixpanelExportClient implements MixpanelExportClient {

    private static final Logger log = LoggerFactory.getLogger(HttpMixpanelExportClient.class);
    private static final int MAX_ERROR_BODY = 2048;
    private static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(60);

    private final ClientSettings settings;
    private final MixpanelCredentials credentials;
    private final RequestRecorder recorder;
    private final Sleeper sleeper;
    private final String timezoneHint;
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
        this.timezoneHint = timezone.getId();
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
            Duration wait = failure.retryAfter != null ? min(failure.retryAfter, settings.maxBackoff()) : backoff(attempt);
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
            throw new TransientFailure("connection failed: " + describe(e), null, false);
        }
        try {
            if (status != 200) {
                String body = errorBody(connection);
                recorder.completed(requestId, status, "http-" + status, body.length());
                throw classify(status, body, connection.getHeaderField("Retry-After"), request);
            }
            return receive(request, spool, connection, requestId, sink);
        } finally {
            connection.disconnect();
        }
    }

    private SpoolManifest receive(ExportRequest request, Spool spool, HttpURLConnection connection, long requestId,
            BodySink sink) {
        boolean gzip = "gzip".equalsIgnoreCase(connection.getContentEncoding());
        long contentLength = connection.getContentLengthLong();
        CountingInputStream raw = null;
        TailScanner scanner = new TailScanner(settings.maxLineBytes());
        OutputStream spoolOut;
        try {
            spoolOut = new SpoolOutputStream(new BufferedOutputStream(spool.beginBody(), 1 << 16));
        } catch (IOException e) {
            recorder.completed(requestId, 200, "spool-error", 0);
            throw spoolFailure(request, spool, e);
        }
        sink.begin();
        try (InputStream body = connection.getInputStream(); OutputStream out = spoolOut) {
            raw = new CountingInputStream(body, out);
            // 128 KiB of gzip in, up to 256 KiB decoded out per read: fewer, longer calls into zlib.
            InputStream decoded = gzip ? new GZIPInputStream(raw, 1 << 17) : raw;
            byte[] own = new byte[1 << 18];
            while (true) {
                byte[] lent = sink.buffer();
                byte[] buf = lent == null ? own : lent;
                int n = decoded.read(buf, 0, buf.length);
                if (n <= 0) {
                    break;
                }
                scanner.accept(buf, n);
                sink.write(buf, 0, n);
            }
            // drain whatever follows the gzip trailer so the spool holds the body exactly as sent
            while (raw.read(own) > 0) {
                // counted and saved by the stream itself
            }
        } catch (SpoolWriteException e) {
            recorder.completed(requestId, 200, "spool-error", raw == null ? 0 : raw.count());
            throw spoolFailure(request, spool, e.getCause());
        } catch (SocketTimeoutException e) {
            recorder.completed(requestId, 200, "stalled", raw == null ? 0 : raw.count());
            throw new TransientFailure("body stalled for " + settings.readTimeout().toSeconds() + " s after "
                    + (raw == null ? 0 : raw.count()) + " bytes", null, false);
        } catch (IOException e) {
            long got = raw == null ? 0 : raw.count();
            recorder.completed(requestId, 200, "cut", got);
            throw new TransientFailure("body cut after " + got + " bytes: " + describe(e), null, false);
        }
        if (contentLength >= 0 && raw.count() != contentLength) {
            recorder.completed(requestId, 200, "truncated", raw.count());
            throw new TransientFailure("body truncated: " + raw.count() + " of " + contentLength + " bytes", null, false);
        }
        if (scanner.terminatedEarly()) {
            recorder.completed(requestId, 200, "terminated-early", raw.count());
            throw new TransientFailure("Mixpanel ended the body with 'terminated early' after " + scanner.lines()
                    + " lines", null, false);
        }
        recorder.completed(requestId, 200, "ok", raw.count());
        SpoolManifest manifest = Spool.manifest(request.window(), gzip ? "gzip" : "identity", raw.count(),
                scanner.lines(), scanner.bytes());
        try {
            spool.commit(manifest);
        } catch (IOException e) {
            throw new MixpanelUnavailableException("cannot save the spool of " + request.window() + " in "
                    + spool.dir() + ": " + describe(e), e);
        }
        log.info("export {}: received {} lines, {} bytes ({})", request.window(), scanner.lines(), raw.count(),
                manifest.encoding());
        sink.complete(manifest);
        return manifest;
    }

    /** A local disk failure: not retried, since another request would only spend the hourly limit again. */
    private static MixpanelUnavailableException spoolFailure(ExportRequest request, Spool spool, IOException e) {
        return new MixpanelUnavailableException("cannot write the spool of " + request.window() + " in " + spool.dir()
                + ": " + describe(e), e);
    }

    private RuntimeException classify(int status, String body, String retryAfter, ExportRequest request) {
        String detail = body.isBlank() ? "" : ": " + body.strip();
        String lower = body.toLowerCase(java.util.Locale.ROOT);
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
        if (lower.contains("to_date cannot be later than today")) {
            return new MixpanelRequestException("Mixpanel refused to_date " + request.toDate()
                    + ": it is later than today in the project's timezone. mixpanel.timezone is " + timezoneHint
                    + "; set it to the project's timezone (Project Settings in Mixpanel)" + " (HTTP " + status + detail + ")");
        }
        if (status == 404) {
            return new MixpanelRequestException("HTTP 404 from " + settings.baseUrl()
                    + ": check mixpanel.region and mixpanel.apiUrl" + detail);
        }
        return new MixpanelRequestException("Mixpanel refused the export of " + request.window() + " (HTTP " + status
                + detail + ")");
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

    private Duration backoff(int attempt) {
        long base = settings.initialBackoff().toMillis();
        long cap = settings.maxBackoff().toMillis();
        long exp = Math.min(cap, base * (1L << Math.min(20, attempt - 1)));
        // "equal jitter": half fixed, half random, so that parallel workers do not retry in lockstep
        long jittered = exp / 2 + ThreadLocalRandom.current().nextLong(exp / 2 + 1);
        return Duration.ofMillis(Math.max(1, jittered));
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

    private static String errorBody(HttpURLConnection connection) {
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

    private static String describe(IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Marks a failure of the spool file, so that it is not mistaken for a cut connection. */
    private static final class SpoolWriteException extends IOException {
        SpoolWriteException(IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    /** The spool file's stream, its failures marked as {@link SpoolWriteException}. */
    private static final class SpoolOutputStream extends java.io.FilterOutputStream {
        SpoolOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                throw new SpoolWriteException(e);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw new SpoolWriteException(e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                throw new SpoolWriteException(e);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                out.close();
            } catch (IOException e) {
                throw new SpoolWriteException(e);
            }
        }
    }

    /** A failure worth another try. */
    private static final class TransientFailure extends RuntimeException {
        final Duration retryAfter;
        final boolean rateLimited;

        TransientFailure(String message, Duration retryAfter, boolean rateLimited) {
            super(message, null, false, false);
            this.retryAfter = retryAfter;
            this.rateLimited = rateLimited;
        }
    }
}
