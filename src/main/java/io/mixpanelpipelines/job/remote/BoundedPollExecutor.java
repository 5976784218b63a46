package io.mixpanelpipelines.job.remote;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.core.task.TaskExecutor;

/**
 * Runs a worker's polls, each on a thread of its own, at most {@code slots} at once; a poll that comes while
 * every slot is busy is skipped, not queued or waited for. So a worker takes a partition request only when
 * it has a free slot (the others stay queued for other workers), and the poller's scheduler thread never
 * blocks (a blocked one is what an application shutting down would have to interrupt). Thread-safe.
 */
public final class BoundedPollExecutor implements TaskExecutor {

    private final Semaphore slots;
    private final String threadPrefix;
    private final AtomicInteger threads = new AtomicInteger();

    public BoundedPollExecutor(int slots, String threadPrefix) {
        this.slots = new Semaphore(slots);
        this.threadPrefix = threadPrefix;
    }

    @Override
    public void execute(Runnable poll) {
        if (!slots.tryAcquire()) {
            return; // every slot runs a partition: this poll is skipped, the next one comes with the trigger
        }
        Thread t = new Thread(() -> {
            try {
                poll.run();
            } finally {
                slots.release();
            }
        }, threadPrefix + threads.incrementAndGet());
        t.start();
    }
}
