package io.mixpanelpipelines.job.remote;

import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.core.task.TaskExecutor;

/**
 * Runs a worker's polls on at most {@code slots} threads (kept for reuse); a poll that comes while every
 * thread is busy is skipped, not queued or waited for. So a worker takes a partition request only when it
 * has a free slot (the others stay queued for other workers), and the poller's scheduler thread never blocks
 * (a blocked one is what an application shutting down would have to interrupt). Thread-safe.
 */
public final class BoundedPollExecutor implements TaskExecutor {

    private final ThreadPoolExecutor pool;

    public BoundedPollExecutor(int slots, String threadPrefix) {
        AtomicInteger threads = new AtomicInteger();
        pool = new ThreadPoolExecutor(slots, slots, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, threadPrefix + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.DiscardPolicy());
        pool.allowCoreThreadTimeOut(true);
    }

    /** Runs {@code poll} on an idle slot's thread, or drops it when every slot is busy. */
    @Override
    public void execute(Runnable poll) {
        pool.execute(poll);
    }
}
