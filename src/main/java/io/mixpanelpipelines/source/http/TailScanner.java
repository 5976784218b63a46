package io.mixpanelpipelines.source.http;

import java.nio.charset.StandardCharsets;

/**
 * Watches a decoded export body go by: counts lines and bytes, and keeps its last few bytes to tell
 * whether Mixpanel ended it with a {@code terminated early} line. Constant memory. Not thread-safe.
 */
final class TailScanner {

    private static final int TAIL = 128;

    private final byte[] tail = new byte[TAIL];
    private int tailLength;
    private long lines;
    private long bytes;
    private boolean endsWithNewline = true;

    TailScanner(int maxLineBytes) {
        // long lines are counted like any other: the converter rejects those over the limit
    }

    void accept(byte[] buf, int n) {
        for (int i = 0; i < n; i++) {
            if (buf[i] == '\n') {
                lines++;
            }
        }
        bytes += n;
        endsWithNewline = buf[n - 1] == '\n';
        if (n >= TAIL) {
            System.arraycopy(buf, n - TAIL, tail, 0, TAIL);
            tailLength = TAIL;
        } else {
            int keep = Math.min(tailLength, TAIL - n);
            System.arraycopy(tail, tailLength - keep, tail, 0, keep);
            System.arraycopy(buf, 0, tail, keep, n);
            tailLength = keep + n;
        }
    }

    /** Lines in the body, counting a last line without a newline. */
    long lines() {
        return lines + (bytes > 0 && !endsWithNewline ? 1 : 0);
    }

    long bytes() {
        return bytes;
    }

    /** Whether the last non-blank line says {@code terminated early} (also {@code export terminated early}). */
    boolean terminatedEarly() {
        String s = new String(tail, 0, tailLength, StandardCharsets.UTF_8).stripTrailing();
        int nl = s.lastIndexOf('\n');
        String last = (nl < 0 ? s : s.substring(nl + 1)).strip().toLowerCase(java.util.Locale.ROOT);
        return last.equals("terminated early") || last.equals("export terminated early")
                || (last.startsWith("{") && last.contains("terminated early") && !last.contains("\"properties\""));
    }
}
