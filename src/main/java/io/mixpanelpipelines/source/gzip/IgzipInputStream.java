package io.mixpanelpipelines.source.gzip;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipException;

/**
 * The decoded output of an {@code igzip -dc} child process: of a file named on its command line, or of a raw
 * stream that a daemon feeder thread copies into its stdin. At the end of its output the process's exit code
 * is checked: a failure reading the raw stream is rethrown as itself, input ending inside a member is an
 * {@link EOFException} and any other non-zero exit a {@link ZipException} naming igzip's stderr. Closing it
 * early kills the process, closes the raw stream and waits for the feeder, so nothing outlives it. Read by one
 * thread at a time, like any stream.
 */
final class IgzipInputStream extends InputStream {

    /** What igzip prints when its input ends inside a member (where zlib says "Unexpected end"). */
    private static final String CUT = "does not contain a complete gzip file";
    private static final long FEEDER_GRACE_MS = 1000;

    private final Process process;
    private final InputStream decoded;
    private final InputStream raw;
    private Thread feeder;
    /** A failure reading the raw stream, set by the feeder before it closes igzip's stdin. */
    private volatile IOException sourceFailure;
    private volatile boolean closed;
    private IOException failure;
    private boolean ended;
    private final byte[] one = new byte[1];

    private IgzipInputStream(Process process, InputStream raw) {
        this.process = process;
        this.decoded = process.getInputStream();
        this.raw = raw;
    }

    /** {@code command} decoding a file it names: its stdin is empty (/dev/null, else a pipe closed at once). */
    static IgzipInputStream reading(List<String> command) throws IOException {
        ProcessBuilder pb = builder(command);
        if (DEV_NULL.canRead()) {
            pb.redirectInput(DEV_NULL); // no pipe at all (one widened for nothing would count against the user's quota)
        }
        Process p = pb.start();
        p.getOutputStream().close(); // a no-op when redirected
        return new IgzipInputStream(p, null);
    }

    private static final java.io.File DEV_NULL = new java.io.File("/dev/null");

    /**
     * A process builder for {@code command} whose environment keeps perl, when igzip is started through it
     * ({@link GzipDecoder#widened}), from changing it: no module or debugger options loaded into it, and no
     * warning of a missing locale ahead of igzip's own messages on stderr (igzip reads none of these).
     */
    static ProcessBuilder builder(List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command);
        java.util.Map<String, String> env = pb.environment();
        env.keySet().removeAll(List.of("PERL5OPT", "PERL5LIB", "PERLLIB", "PERL5DB"));
        env.put("PERL_BADLANG", "0");
        return pb;
    }

    /** {@code command} decoding stdin, fed with {@code head} and then all of {@code raw} by a feeder thread. */
    static IgzipInputStream feeding(List<String> command, byte[] head, InputStream raw, int bufferSize)
            throws IOException {
        IgzipInputStream s = new IgzipInputStream(builder(command).start(), raw);
        s.feeder = new Thread(() -> s.feed(head, Math.max(bufferSize, 1 << 16)), "igzip-feeder");
        s.feeder.setDaemon(true); // never holds the JVM: close() ends it, and a stalled read times out
        s.feeder.start();
        return s;
    }

    private void feed(byte[] head, int bufferSize) {
        OutputStream stdin = process.getOutputStream();
        try {
            stdin.write(head);
            byte[] buf = new byte[bufferSize];
            while (true) {
                int n;
                try {
                    n = raw.read(buf, 0, buf.length);
                } catch (IOException e) {
                    if (!closed) {
                        sourceFailure = e; // before stdin closes: the reader sees it once igzip ends
                    }
                    return;
                }
                if (n < 0) {
                    return;
                }
                stdin.write(buf, 0, n);
            }
        } catch (IOException e) {
            // igzip stopped reading (it failed, or was killed by close()): its exit code tells which
        } finally {
            try {
                stdin.close();
            } catch (IOException e) {
                // the process is gone already
            }
        }
    }

    @Override
    public int read() throws IOException {
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("Stream closed");
        }
        if (failure != null) {
            throw failure;
        }
        if (ended) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        int n = decoded.read(b, off, len);
        if (n >= 0) {
            return n;
        }
        finish();
        if (failure != null) {
            throw failure;
        }
        return -1;
    }

    @Override
    public int available() throws IOException {
        return closed || ended || failure != null ? 0 : decoded.available();
    }

    /** At the end of igzip's output: its exit code and the feeder's outcome decide between the end and a failure. */
    private void finish() throws IOException {
        int exit;
        try {
            exit = process.waitFor();
            if (exit == 0) {
                join(0);
            } else {
                // igzip failed: the feeder ends at its next write, unless the raw stream stalls it in a read
                join(FEEDER_GRACE_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for igzip");
        }
        IOException source = sourceFailure;
        if (source != null) {
            failure = source;
        } else if (exit != 0) {
            String err = new String(process.getErrorStream().readNBytes(4096), StandardCharsets.UTF_8).strip();
            String what = err.isEmpty() ? "igzip exited with " + exit : err;
            failure = err.contains(CUT) ? new EOFException("Unexpected end of ZLIB input stream (" + what + ")")
                    : new ZipException(what);
        } else {
            ended = true;
        }
    }

    private void join(long millis) throws InterruptedException {
        if (feeder != null) {
            feeder.join(millis);
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        process.destroyForcibly(); // a no-op once it ended; else the feeder's next write fails
        try {
            // close the raw stream only once the feeder has left it, unless a stalled read keeps it there; a read
            // that closing does not end (a piped stream) ends when interrupted. With pipes widened, igzip often has
            // room for all the raw bytes that came, so the feeder waits in a read rather than in a write to igzip
            // (which the process's end breaks)
            join(FEEDER_GRACE_MS);
            if (feeder != null) {
                feeder.interrupt();
            }
            try {
                if (raw != null) {
                    raw.close();
                }
            } finally {
                join(10_000);
                process.waitFor(10, TimeUnit.SECONDS); // reaped: no process left behind
                decoded.close();
                process.getErrorStream().close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
