package io.mixpanelpipelines.job.day;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class IdentityStagingTests {

    private static IdentityStaging failing(Exception failure) {
        return IdentityStaging.start("h", "identity-stage-test", () -> {
            throw failure;
        });
    }

    /** What {@link IdentityStaging#await} throws, as the day's completion would see it. */
    private static Throwable awaited(IdentityStaging staging) {
        try {
            staging.await();
        } catch (IOException | RuntimeException | Error e) {
            return e;
        }
        throw new AssertionError("staging did not fail");
    }

    @Test
    void aStagingFailureBehindAnotherIsKeptAsSuppressed() {
        IOException staged = new IOException("disk full");
        IdentityStaging staging = failing(staged);
        IOException closing = new IOException("cannot close the part");

        staging.awaitAfter(closing);

        assertThat(closing.getSuppressed()).containsExactly(staged);
    }

    @Test
    void theStagingsOwnFailureIsNotAddedToItself() {
        IOException io = new IOException("disk full");
        for (Exception thrown : new Exception[] {io, new UncheckedIOException(io), new IllegalStateException("bug"),
                new Exception("checked")}) {
            IdentityStaging staging = failing(thrown);
            Throwable failure = awaited(staging); // the same, unwrapped, or wrapped: what completion rethrows

            staging.awaitAfter(failure);

            assertThat(failure.getSuppressed()).as("%s", thrown).isEmpty();
        }
    }

    @Test
    void awaitThrowsWhatStagingThrewUnwrapped() {
        IOException io = new IOException("disk full");
        assertThat(awaited(failing(io))).isSameAs(io);
        assertThat(awaited(failing(new UncheckedIOException(io)))).isSameAs(io);
        Exception checked = new Exception("checked");
        assertThatThrownBy(() -> failing(checked).await()).isInstanceOf(IllegalStateException.class).hasCause(checked);
    }

    @Test
    void awaitQuietlyWaitsForTheEndEvenWhenInterruptedAndKeepsTheInterrupt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        IdentityStaging staging = IdentityStaging.start("h", "identity-stage-test", () -> {
            release.await(10, TimeUnit.SECONDS);
            throw new IOException("failed after the release");
        });
        Thread releaser = new Thread(() -> {
            sleep(100);
            release.countDown();
        });
        releaser.start();

        Thread.currentThread().interrupt();
        long start = System.nanoTime();
        staging.awaitQuietly();

        assertThat(Thread.interrupted()).isTrue(); // kept, and cleared here
        assertThat(release.getCount()).isZero();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        releaser.join();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
