package io.mixpanelpipelines.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The download progress line: MB and MB/s per window, attempt by attempt, with a clock the test moves. */
class DownloadProgressTests {

    final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    final DownloadProgress progress = new DownloadProgress(new PrintStream(printed), false, nanos::get);

    @Test
    void formatsMegabytesAndTheRate() {
        assertThat(DownloadProgress.format("2026-01-01..2026-01-31", 12_345_678, Duration.ofSeconds(4)))
                .isEqualTo("downloading 2026-01-01..2026-01-31: 12.3 MB, 3.1 MB/s");
        assertThat(DownloadProgress.format("2026-01-01..2026-01-02", 0, Duration.ZERO))
                .isEqualTo("downloading 2026-01-01..2026-01-02: 0.0 MB, 0.0 MB/s");
    }

    @Test
    void countsEachWindowFromItsAttemptsStartAndForgetsItWhenDone() {
        DownloadProgress.Tracker a = progress.track("2026-01-01..2026-01-10");
        DownloadProgress.Tracker b = progress.track("2026-01-11..2026-01-20");
        assertThat(progress.line()).as("nothing before a body arrives").isEmpty();

        a.begin();
        a.write(new byte[1000], 0, 1000);
        a.write(new byte[5_000_000], 0, 4_999_000);
        nanos.addAndGet(2_000_000_000L);
        assertThat(progress.line()).isEqualTo("downloading 2026-01-01..2026-01-10: 5.0 MB, 2.5 MB/s");

        b.begin();
        b.write(new byte[2_000_000], 0, 2_000_000);
        nanos.addAndGet(2_000_000_000L);
        assertThat(progress.line()).isEqualTo("downloading 2026-01-01..2026-01-10: 5.0 MB, 1.3 MB/s"
                + "  downloading 2026-01-11..2026-01-20: 2.0 MB, 1.0 MB/s");

        a.abandon("cut");
        a.begin();
        a.write(new byte[1_000_000], 0, 1_000_000);
        nanos.addAndGet(1_000_000_000L);
        assertThat(progress.line()).as("a new attempt counts from zero")
                .startsWith("downloading 2026-01-01..2026-01-10: 1.0 MB, 1.0 MB/s");

        a.complete(null);
        b.close();
        assertThat(progress.line()).isEmpty();
        progress.close();
        assertThat(printed.size()).as("not a terminal: nothing printed").isZero();
    }
}
