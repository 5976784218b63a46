package io.mixpanelpipelines.source;

import java.time.Duration;

/** Waits between retries; replaced in tests so that they never sleep for real. */
@FunctionalInterface
public interface Sleeper {

    void sleep(Duration duration) throws InterruptedException;

    Sleeper SYSTEM = d -> Thread.sleep(d.toMillis());
}
