package io.mixpanelpipelines.simulator;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The faults waiting for the next export requests; each request takes the head, if any. Thread-safe.
 */
public final class FaultQueue {

    private final ConcurrentLinkedQueue<Fault> queue = new ConcurrentLinkedQueue<>();

    /** Queues a fault for a later request; returns this for chaining. */
    public FaultQueue enqueue(Fault fault) {
        queue.add(Objects.requireNonNull(fault, "fault"));
        return this;
    }

    /** The number of faults not yet consumed. */
    public int size() {
        return queue.size();
    }

    /** Drops every queued fault. */
    public void clear() {
        queue.clear();
    }

    /** Takes the fault for the request being handled, if any. */
    Optional<Fault> next() {
        return Optional.ofNullable(queue.poll());
    }
}
