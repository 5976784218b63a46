package io.mixpanelpipelines.source.gzip;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

/**
 * Checks that {@code igzip} runs and decodes, alone or through what starts it ({@link GzipDecoder#widened}):
 * two concatenated gzip members through its stdin must come back as the text they hold. Once per process
 * ({@link GzipDecoder}).
 */
final class IgzipProbe {

    private static final String TEXT = "{\"event\":\"probe\"}\n";

    private IgzipProbe() {
    }

    /** Null when {@code command} (igzip, or what starts it) works, else why not (for a debug line or an error). */
    static String problem(List<String> command) {
        Process p;
        List<String> args = new ArrayList<>(command);
        args.add("-dc");
        String name = command.size() == 1 ? command.get(0)
                : command.get(command.size() - 1) + " through " + command.get(0);
        try {
            p = IgzipInputStream.builder(args).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            return name + " cannot be started (" + e.getMessage() + ")";
        }
        try {
            byte[] member = gzip(TEXT);
            try (OutputStream in = p.getOutputStream()) {
                in.write(member);
                in.write(member); // small enough for the pipe's buffer: no thread needed
            }
            byte[] out;
            try (InputStream o = p.getInputStream()) {
                out = o.readAllBytes();
            }
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                return name + " did not end";
            }
            String got = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0 || !got.equals(TEXT + TEXT)) {
                return name + " -dc did not decode a test body (exit " + p.exitValue() + ")";
            }
            return null;
        } catch (IOException e) {
            return name + " failed (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while checking " + name;
        } finally {
            p.destroyForcibly();
        }
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(b)) {
            z.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return b.toByteArray();
    }
}
