package io.mixpanelpipelines.source.http;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
        lines += countNewlines(buf, n);
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

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;

    /** Counts '\n' bytes eight at a time (exact SWAR zero-byte count): this runs over every decoded byte. */
    static long countNewlines(byte[] buf, int n) {
        long count = 0;
        int i = 0;
        for (; i <= n - 8; i += 8) {
            long x = (long) LONGS.get(buf, i) ^ 0x0A0A0A0A0A0A0A0AL; // '\n' bytes become zero
            long nonZero = ((x & LOW7) + LOW7 | x) & ~LOW7;          // high bit set exactly in non-zero bytes
            count += 8 - Long.bitCount(nonZero);
        }
        for (; i < n; i++) {
            if (buf[i] == '\n') {
                count++;
            }
        }
        return count;
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
