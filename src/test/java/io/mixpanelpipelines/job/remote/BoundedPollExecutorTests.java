package io.mixpanelpipelines.job.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BoundedPollExecutorTests {

    @Test
    void aPollWhileEverySlotIsBusyIsSkippedAndAFreedSlotTakesTheNext() throws Exception {
        BoundedPollExecutor executor = new BoundedPollExecutor(2, "poll-");
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(2);
        AtomicInteger ran = new AtomicInteger();
        Runnable busy = () -> {
            ran.incrementAndGet();
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        executor.execute(busy);
        executor.execute(busy);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        long start = System.nanoTime();
        executor.execute(ran::incrementAndGet); // both slots busy: dropped at once, without waiting
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1000);
        assertThat(ran).hasValue(2);

        release.countDown();
        CountDownLatch next = new CountDownLatch(1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (next.getCount() > 0 && System.nanoTime() < deadline) {
            executor.execute(next::countDown); // dropped until a slot's thread is idle again
            next.await(10, TimeUnit.MILLISECONDS);
        }
        assertThat(next.getCount()).as("a freed slot runs the next poll").isZero();
        assertThat(ran).hasValue(2);
    }
}
