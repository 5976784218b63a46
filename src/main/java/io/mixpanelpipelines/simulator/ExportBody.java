package io.mixpanelpipelines.simulator;

import com.sun.net.httpserver.HttpExchange;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * The streamed body of one successful export response. Like Mixpanel, it gzips only when the client
 * accepts gzip and the body is over {@value #GZIP_THRESHOLD} bytes, so the first bytes are held back until
 * that is known; after that lines go out with chunked transfer encoding. Not thread-safe (one per request).
 */
final class ExportBody {

    static final int GZIP_THRESHOLD = 1400;

    private static final int BUFFER = 64 * 1024;

    private final HttpExchange exchange;
    private final boolean gzipAccepted;
    private ByteArrayOutputStream pending = new ByteArrayOutputStream(GZIP_THRESHOLD * 2);
    private OutputStream out;

    ExportBody(HttpExchange exchange, boolean gzipAccepted) {
        this.exchange = exchange;
        this.gzipAccepted = gzipAccepted;
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.getResponseHeaders().set("Vary", "Accept-Encoding");
    }

    /** Writes one line; {@code line} must not contain the newline, which is added here. */
    void writeLine(byte[] line) throws IOException {
        if (out != null) {
            out.write(line);
            out.write('\n');
            return;
        }
        pending.write(line);
        pending.write('\n');
        if (!gzipAccepted || pending.size() > GZIP_THRESHOLD) {
            startStreaming(gzipAccepted);
        }
    }

    /** Completes the response: the gzip trailer and the final empty chunk. */
    void finish() throws IOException {
        if (out == null) {
            byte[] body = pending.toByteArray();
            exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
            try (OutputStream raw = exchange.getResponseBody()) {
                raw.write(body);
            }
        } else {
            out.close();
        }
    }

    /**
     * Sends what was written so far, then fails the exchange so that the server drops the connection
     * without the chunked terminator (and without the gzip trailer): the client sees a truncated stream.
     */
    void cut() throws IOException {
        if (out == null) {
            startStreaming(gzipAccepted && pending.size() > 0);
        }
        out.flush();
        throw new SimulatedConnectionDrop();
    }

    private void startStreaming(boolean gzip) throws IOException {
        if (gzip) {
            exchange.getResponseHeaders().set("Content-Encoding", "gzip");
        }
        exchange.sendResponseHeaders(200, 0); // 0 = chunked
        OutputStream raw = new BufferedOutputStream(exchange.getResponseBody(), BUFFER);
        out = gzip ? new FastGzipOutputStream(raw) : raw;
        pending.writeTo(out);
        pending = null;
    }

    /**
     * Gzip at the fastest level: benchmarks measure the client, so the server should not be the
     * bottleneck. Sync flush makes {@link #cut()} put the compressed bytes so far on the wire.
     */
    private static final class FastGzipOutputStream extends GZIPOutputStream {
        FastGzipOutputStream(OutputStream out) throws IOException {
            super(out, 8 * 1024, true);
            def.setLevel(Deflater.BEST_SPEED);
        }
    }

    /** Thrown out of the handler on purpose; the JDK server then closes the connection. */
    static final class SimulatedConnectionDrop extends IOException {
        SimulatedConnectionDrop() {
            super("simulated connection drop", null);
        }
    }
}
