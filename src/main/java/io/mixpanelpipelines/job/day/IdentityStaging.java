package io.mixpanelpipelines.job.day;

import io.mixpanelpipelines.identity.DayIdentities;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * A day's identity mappings {@linkplain IdentityMaintenance#stage staged} on a thread of their own while the
 * day step's thread closes the day's last events part (its last row group encoded, compressed, written and
 * forced to disk): each of the two leaves a core mostly idle, and they touch different files. Started once
 * every event's mappings are derived and the day's content is known, so it stages exactly what
 * {@link DayCompletion#complete} would; the order stays the same (staged before the events are published).
 *
 * <p>Its thread is never left running: whoever starts one {@linkplain #await awaits} it, also when something
 * else failed ({@link #awaitQuietly}), before the mappings' spilled runs are deleted.
 */
final class IdentityStaging {

    private final String contentHash;
    private final FutureTask<Void> task;

    private IdentityStaging(String contentHash, FutureTask<Void> task) {
        this.contentHash = contentHash;
        this.task = task;
    }

    /** Starts staging {@code mappings}, every one of the day's, for the events of {@code contentHash}. */
    static IdentityStaging start(IdentityMaintenance identity, LocalDate day, String contentHash, String runId,
            DayIdentities mappings) {
        return start(contentHash, "identity-stage-" + day, () -> {
            identity.stage(day, contentHash, runId, mappings);
            return null;
        });
    }

    /** Starts {@code staging} on a daemon thread named {@code threadName}. */
    static IdentityStaging start(String contentHash, String threadName, Callable<Void> staging) {
        FutureTask<Void> task = new FutureTask<>(staging);
        Thread thread = new Thread(task, threadName);
        thread.setDaemon(true);
        thread.start();
        return new IdentityStaging(contentHash, task);
    }

    /** The content of the events the mappings were staged for. */
    String contentHash() {
        return contentHash;
    }

    /** Waits until the mappings are staged; throws what staging them threw. */
    void await() throws IOException {
        try {
            waitForEnd();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            } else if (cause instanceof UncheckedIOException io) {
                throw io.getCause();
            } else if (cause instanceof RuntimeException r) {
                throw r;
            } else if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }

    /** Waits until staging ended, however it ended (after a failure elsewhere, before the spills go). */
    void awaitQuietly() {
        awaitAfter(null);
    }

    /**
     * Waits until staging ended after {@code failure} ended the day's completion (null: none); a failure of
     * the staging too is added to it as suppressed. The day is not published: its next conversion stages again.
     */
    void awaitAfter(Throwable failure) {
        try {
            waitForEnd();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (failure != null && !isThrownFor(failure, cause)) {
                failure.addSuppressed(cause);
            }
        }
    }

    /**
     * Whether {@code failure} is what {@link #await} threw for the staging's {@code cause}: the cause itself, the
     * {@link IOException} an {@link UncheckedIOException} wrapped, or the exception wrapping a checked cause. It is
     * then not added to itself as suppressed.
     */
    private static boolean isThrownFor(Throwable failure, Throwable cause) {
        return failure == cause || cause.getCause() == failure || failure.getCause() == cause;
    }

    /** Waits for the end even when interrupted (the spills must outlive their reader); the interrupt is kept. */
    private void waitForEnd() throws ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    task.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
