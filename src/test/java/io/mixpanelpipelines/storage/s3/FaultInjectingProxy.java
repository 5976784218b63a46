package io.mixpanelpipelines.storage.s3;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A loopback HTTP/1.1 proxy between the S3 client and the server that can fail chosen requests: answer
 * one with {@code 503 SlowDown}, reset its connection, or reset it half-way through its body. It reads
 * each request's head to find its end (Content-Length bodies, which is what the SDK sends) and relays
 * everything else as bytes.
 */
public final class FaultInjectingProxy implements Closeable {

    /** What to do to the next request that matches. */
    public enum Fault { SLOW_DOWN, RESET, RESET_MID_BODY, RESET_ALWAYS }

    private record Armed(Fault fault, Predicate<String> requestLine) {
    }

    private final ServerSocket server;
    private final URI upstream;
    private final ConcurrentLinkedQueue<Armed> faults = new ConcurrentLinkedQueue<>();
    private final AtomicInteger injected = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();

    public FaultInjectingProxy(URI upstream) throws IOException {
        this.upstream = upstream;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "fault-proxy");
        t.setDaemon(true);
        t.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** Fails the next request whose request line (e.g. {@code PUT /b/k?partNumber=2&uploadId=...}) matches. */
    public void inject(Fault fault, Predicate<String> requestLine) {
        faults.add(new Armed(fault, requestLine));
    }

    public int injected() {
        return injected.get();
    }

    public int requests() {
        return requests.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread t = new Thread(() -> serve(client), "fault-proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client; Socket up = new Socket(upstream.getHost(), upstream.getPort())) {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            OutputStream upOut = up.getOutputStream();
            Thread responses = new Thread(() -> pump(up, client), "fault-proxy-resp");
            responses.setDaemon(true);
            responses.start();
            while (true) {
                byte[] head = readHead(in);
                if (head == null) {
                    return;
                }
                requests.incrementAndGet();
                String text = new String(head, StandardCharsets.ISO_8859_1);
                String requestLine = text.substring(0, text.indexOf("\r\n"));
                long length = contentLength(text);
                Armed armed = match(requestLine);
                if (armed != null) {
                    injected.incrementAndGet();
                    switch (armed.fault()) {
                        case SLOW_DOWN -> {
                            byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code>"
                                    + "<Message>Please reduce your request rate.</Message></Error>").getBytes(StandardCharsets.UTF_8);
                            synchronized (out) {
                                out.write(("HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: "
                                        + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                                out.write(body);
                                out.flush();
                            }
                            return;
                        }
                        case RESET, RESET_ALWAYS -> {
                            reset(client);
                            return;
                        }
                        case RESET_MID_BODY -> {
                            upOut.write(head);
                            copy(in, upOut, length / 2);
                            reset(client);
                            return;
                        }
                    }
                }
                upOut.write(head);
                copy(in, upOut, length);
                upOut.flush();
            }
        } catch (IOException e) {
            // a connection ended; the client sees it and the SDK retries
        }
    }

    private Armed match(String requestLine) {
        for (Armed a : faults) {
            if (a.requestLine().test(requestLine)) {
                if (a.fault() != Fault.RESET_ALWAYS) {
                    faults.remove(a);
                }
                return a;
            }
        }
        return null;
    }

    private static void reset(Socket s) throws IOException {
        s.setSoLinger(true, 0);
        s.close();
    }

    private static void pump(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buf = new byte[64 << 10];
            int n;
            while ((n = in.read(buf)) >= 0) {
                synchronized (out) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            }
            to.shutdownOutput();
        } catch (IOException ignored) {
            // either side closed
        }
    }

    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return head.toByteArray();
            }
        }
        return null;
    }

    private static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
                return Long.parseLong(line.substring(colon + 1).trim());
            }
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("transfer-encoding")) {
                throw new IllegalStateException("chunked request bodies are not supported by this test proxy");
            }
        }
        return 0;
    }

    private static void copy(InputStream in, OutputStream out, long n) throws IOException {
        byte[] buf = new byte[64 << 10];
        while (n > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n));
            if (r < 0) {
                throw new IOException("client closed mid-body");
            }
            out.write(buf, 0, r);
            n -= r;
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
