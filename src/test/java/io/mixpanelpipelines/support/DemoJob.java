package io.mixpanelpipelines.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The demo job of {@code jobs/demo.yaml}, for tests that run it for its code paths rather than its size. */
public final class DemoJob {

    private DemoJob() {
    }

    /**
     * The demo job at a twentieth of its events and a tenth of its profiles (1,000 events a day for its 7 days,
     * 300 profiles): the same commands, steps and requests' kinds, in a few seconds.
     *
     * @throws IllegalStateException when {@code jobs/demo.yaml} no longer has the sizes this shrinks
     */
    public static String small() throws IOException {
        String demo = Files.readString(Path.of("jobs/demo.yaml"));
        String small = demo.replace("eventsPerDay: 20000", "eventsPerDay: 1000").replace("profiles: 3000", "profiles: 300");
        if (!small.contains("eventsPerDay: 1000\n") || !small.contains("profiles: 300 ")) {
            throw new IllegalStateException("jobs/demo.yaml no longer has the sizes DemoJob.small() shrinks");
        }
        return small;
    }
}
