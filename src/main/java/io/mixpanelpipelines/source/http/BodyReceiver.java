package io.mixpanelpipelines.source.http;

import io.mixpanelpipelines.source.BodySink;
import io.mixpanelpipelines.source.ExportRequest;
import io.mixpanelpipelines.source.MixpanelUnavailableException;
import io.mixpanelpipelines.source.RequestRecorder;
import io.mixpanelpipelines.source.Spool;
import io.mixpanelpipelines.source.SpoolManifest;
import io.mixpanelpipelines.source.gzip.GzipDecoder;
import io.mixpanelpipelines.storage.CountingOutputStream;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives one 200 response: saves the body to the spool exactly as sent while decoding it on the way, hands
 * the decoded bytes to the {@link BodySink}, and judges the end: a cut or stalled stream, a body shorter than
 * its {@code Content-Length}, or a {@code terminated early} last line are {@link TransientFailure}s; a spool
 * that cannot be written is not (another request would only spend the hourly limit again). Records the
 * outcome of the request. Thread-safe (no state of its own).
 */
final class BodyReceiver {

    private static final Logger log = LoggerFactory.getLogger(HttpMixpanelExportClient.class);

    private final ClientSettings settings;
    private final RequestRecorder recorder;

    BodyReceiver(ClientSettings settings, RequestRecorder recorder) {
        this.settings = settings;
        this.recorder = recorder;
    }

    SpoolManifest receive(ExportRequest request, Spool spool, HttpURLConnection connection, long requestId,
            BodySink sink) {
        boolean gzip = "gzip".equalsIgnoreCase(connection.getContentEncoding());
        long contentLength = connection.getContentLengthLong();
        TailScanner scanner = new TailScanner(settings.maxLineBytes());
        CountingOutputStream spooled;
        try {
            spooled = new CountingOutputStream(new SpoolOutputStream(new BufferedOutputStream(spool.beginBody(), 1 << 16)));
        } catch (IOException e) {
            recorder.completed(requestId, 200, "spool-error", 0);
            throw spoolFailure(request, spool, e);
        }
        sink.begin();
        try (InputStream body = connection.getInputStream(); OutputStream out = spooled;
                InputStream raw = new TeeInputStream(body, out);
                // 128 KiB of gzip in, up to 256 KiB decoded out per read: fewer, longer calls into zlib.
                // Closed first: an abandoned body ends igzip and its feeder before the spool is closed.
                InputStream decoded = gzip ? GzipDecoder.open(raw, 1 << 17) : raw) {
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
                // saved and counted by the spool's stream
            }
        } catch (SpoolWriteException e) {
            recorder.completed(requestId, 200, "spool-error", spooled.count());
            throw spoolFailure(request, spool, e.getCause());
        } catch (SocketTimeoutException e) {
            recorder.completed(requestId, 200, "stalled", spooled.count());
            throw new TransientFailure("body stalled for " + settings.readTimeout().toSeconds() + " s after "
                    + spooled.count() + " bytes", null, false);
        } catch (IOException e) {
            long got = spooled.count();
            recorder.completed(requestId, 200, "cut", got);
            throw new TransientFailure("body cut after " + got + " bytes: " + describe(e), null, false);
        }
        long received = spooled.count();
        if (contentLength >= 0 && received != contentLength) {
            recorder.completed(requestId, 200, "truncated", received);
            throw new TransientFailure("body truncated: " + received + " of " + contentLength + " bytes", null, false);
        }
        if (scanner.terminatedEarly()) {
            recorder.completed(requestId, 200, "terminated-early", received);
            throw new TransientFailure("Mixpanel ended the body with 'terminated early' after " + scanner.lines()
                    + " lines", null, false);
        }
        recorder.completed(requestId, 200, "ok", received);
        SpoolManifest manifest = Spool.manifest(request.window(), gzip ? "gzip" : Spool.IDENTITY, received,
                scanner.lines(), scanner.bytes());
        try {
            spool.commit(manifest);
        } catch (IOException e) {
            throw new MixpanelUnavailableException("cannot save the spool of " + request.window() + " in "
                    + spool.dir() + ": " + describe(e), e);
        }
        log.info("export {}: received {} lines, {} bytes ({})", request.window(), scanner.lines(), received,
                manifest.encoding());
        sink.complete(manifest);
        return manifest;
    }

    /** A local disk failure: not retried, since another request would only spend the hourly limit again. */
    private static MixpanelUnavailableException spoolFailure(ExportRequest request, Spool spool, IOException e) {
        return new MixpanelUnavailableException("cannot write the spool of " + request.window() + " in " + spool.dir()
                + ": " + describe(e), e);
    }

    static String describe(IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
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
    private static final class SpoolOutputStream extends FilterOutputStream {
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
}
