package io.mixpanelpipelines.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy on a local port in front of a server (the state database), which a test can cut as a
 * database restart or a failover would: {@link #cut} closes every open connection at once and stops
 * listening, so that new connections are refused (not hung), then listens again on the same port after
 * the given time. Counts the connections it accepted. Thread-safe; one daemon thread per direction of
 * each connection.
 */
public final class CuttableTcpProxy implements AutoCloseable {

    private final int targetPort;
    private final int port;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile ServerSocket server;
    private volatile boolean closed;
    /** Armed by {@link #cutWhenSent}: the bytes whose sending cuts, and for how long; null when not armed. */
    private final AtomicReference<Trigger> trigger = new AtomicReference<>();
    private final AtomicInteger triggered = new AtomicInteger();

    private record Trigger(byte[] marker, Duration refuseFor) {
    }

    public CuttableTcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = listen(0);
        this.port = server.getLocalPort();
        acceptOn(server);
    }

    public int port() {
        return port;
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    /**
     * Drops every open connection and refuses new ones for {@code refuseFor}, then accepts again; returns
     * at once (the proxy listens again on a thread of its own).
     */
    public void cut(Duration refuseFor) throws IOException {
        ServerSocket s = server;
        s.close();
        for (Socket socket : open) {
            closeQuietly(socket);
        }
        Thread back = new Thread(() -> {
            try {
                Thread.sleep(refuseFor.toMillis());
                if (!closed) {
                    ServerSocket again = listen(port);
                    server = again;
                    acceptOn(again);
                }
            } catch (InterruptedException | IOException e) {
                throw new IllegalStateException("the proxy could not listen again on port " + port, e);
            }
        }, "proxy-reopen");
        back.setDaemon(true);
        back.start();
    }

    /**
     * Cuts once, as {@link #cut} does, at the moment a client sends bytes holding {@code marker} (ASCII, such
     * as a value a statement binds): what holds it is not passed on, so that statement fails as if the
     * database had gone away just before it. Returns at once; {@link #triggered} tells whether it happened.
     */
    public void cutWhenSent(String marker, Duration refuseFor) {
        trigger.set(new Trigger(marker.getBytes(StandardCharsets.US_ASCII), refuseFor));
    }

    /** How many times {@link #cutWhenSent} cut. */
    public int triggered() {
        return triggered.get();
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return s;
    }

    private void acceptOn(ServerSocket s) {
        Thread t = new Thread(() -> {
            while (!s.isClosed()) {
                try {
                    Socket client = s.accept();
                    accepted.incrementAndGet();
                    Socket upstream;
                    try {
                        upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                    } catch (IOException e) {
                        closeQuietly(client);
                        continue;
                    }
                    open.add(client);
                    open.add(upstream);
                    pump(client, upstream, true);
                    pump(upstream, client, false);
                } catch (IOException e) {
                    // closed by cut() or close(), or the target refused: the client sees its connection end
                }
            }
        }, "proxy-accept-" + port);
        t.setDaemon(true);
        t.start();
    }

    private void pump(Socket from, Socket to, boolean fromClient) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            byte[] tail = new byte[0]; // the end of what was sent before: a marker may straddle two reads
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    if (fromClient && trigger.get() != null) {
                        Trigger armed = trigger.get();
                        byte[] seen = concat(tail, buf, n);
                        if (armed != null && indexOf(seen, armed.marker()) >= 0 && trigger.compareAndSet(armed, null)) {
                            triggered.incrementAndGet();
                            cut(armed.refuseFor());
                            return;
                        }
                        tail = Arrays.copyOfRange(seen, Math.max(0, seen.length - 64), seen.length);
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side went away: the other is closed below
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static byte[] concat(byte[] a, byte[] b, int n) {
        byte[] out = Arrays.copyOf(a, a.length + n);
        System.arraycopy(b, 0, out, a.length, n);
        return out;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket socket : open) {
            closeQuietly(socket);
        }
    }
}
