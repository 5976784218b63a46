package io.mixpanelpipelines.source.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TailScannerTests {

    /** Feeds the text in pieces of {@code piece} bytes. */
    private static TailScanner scan(String text, int piece) {
        TailScanner scanner = new TailScanner(1024);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i += piece) {
            int n = Math.min(piece, bytes.length - i);
            byte[] buf = new byte[n + 3];
            System.arraycopy(bytes, i, buf, 0, n);
            scanner.accept(buf, n);
        }
        return scanner;
    }

    @Test
    void countsLinesAndBytesWhateverThePieces() {
        String body = "{\"a\":1}\n".repeat(50) + "{\"last\":true}";
        for (int piece : new int[] {1, 3, 7, 127, 128, 129, 4096}) {
            TailScanner s = scan(body, piece);
            assertThat(s.lines()).as("piece %d", piece).isEqualTo(51);
            assertThat(s.bytes()).isEqualTo(body.length());
            assertThat(s.terminatedEarly()).isFalse();
        }
        assertThat(scan(body + "\n", 5).lines()).isEqualTo(51);
        assertThat(scan("", 5).lines()).isZero();
    }

    @Test
    void findsTerminatedEarlyAcrossPieces() {
        String data = "{\"event\":\"x\",\"properties\":{\"time\":1}}\n".repeat(20);
        for (int piece : new int[] {1, 2, 5, 100, 128, 200, 10_000}) {
            assertThat(scan(data + "terminated early\n", piece).terminatedEarly()).as("piece %d", piece).isTrue();
            assertThat(scan(data + "export terminated early", piece).terminatedEarly()).isTrue();
            assertThat(scan(data + "Terminated Early\n\n  \n", piece).terminatedEarly()).isTrue();
            assertThat(scan(data + "{\"error\": \"terminated early\"}\n", piece).terminatedEarly()).isTrue();
            assertThat(scan(data, piece).terminatedEarly()).isFalse();
            assertThat(scan("terminated early\n" + data, piece).terminatedEarly()).isFalse();
        }
    }

    @Test
    void anEventMentioningTerminatedEarlyIsData() {
        String event = "{\"event\":\"terminated early\",\"properties\":{\"time\":1}}\n";

        assertThat(scan(event, 7).terminatedEarly()).isFalse();
    }

    @Test
    void countsNewlinesExactlyWhateverTheBytesAround() {
        java.util.Random random = new java.util.Random(11);
        for (int round = 0; round < 2000; round++) {
            byte[] buf = new byte[random.nextInt(40)];
            for (int i = 0; i < buf.length; i++) {
                int k = random.nextInt(6);
                buf[i] = (byte) (k == 0 ? '\n' : k == 1 ? 0x0B : k == 2 ? 0x8A : k == 3 ? 0 : k == 4 ? 0xFF : random.nextInt(256));
            }
            int n = random.nextInt(buf.length + 1);
            long expected = 0;
            for (int i = 0; i < n; i++) {
                expected += buf[i] == '\n' ? 1 : 0;
            }
            assertThat(TailScanner.countNewlines(buf, n)).isEqualTo(expected);
        }
    }
}
