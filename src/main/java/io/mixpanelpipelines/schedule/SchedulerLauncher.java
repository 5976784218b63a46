package io.mixpanelpipelines.schedule;

import io.mixpanelpipelines.config.JobDefinitionLoader;
import io.mixpanelpipelines.config.StateStoreLocation;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.MapPropertySource;

/** Starts the {@code schedule} service and returns when it has been shut down (SIGTERM). */
public final class SchedulerLauncher {

    private static final Logger log = LoggerFactory.getLogger(SchedulerLauncher.class);

    private SchedulerLauncher() {
    }

    /**
     * @param springProperties given by the caller (tests, tools): above the profile's properties and the environment
     * @return the exit code: 0 after a graceful shutdown
     */
    public static int run(ScheduledJobs jobs, Map<String, Object> springProperties, Clock clock) {
        CountDownLatch closed = new CountDownLatch(1);
        Map<String, Object> props = new HashMap<>(springProperties);
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(SchedulerApplication.class)
                .profiles("schedule")
                .initializers(c -> {
                    c.getEnvironment().getPropertySources().addFirst(new MapPropertySource("cli", props));
                    // the jobs folder's own state store (H2 in its data/state), below every other source
                    if (!jobs.jobs().isEmpty()) {
                        c.getEnvironment().getPropertySources().addLast(new MapPropertySource("job-folder-defaults",
                                StateStoreLocation.defaults(JobDefinitionLoader.folderOf(jobs.jobs().get(0).file()))));
                    }
                    c.getBeanFactory().registerSingleton("scheduledJobs", jobs);
                    c.getBeanFactory().registerSingleton("clock", clock);
                })
                .listeners(new ApplicationListener<WebServerInitializedEvent>() {
                    @Override
                    public void onApplicationEvent(WebServerInitializedEvent event) {
                        log.info("schedule: {} job(s); health probes and /actuator/prometheus on port {}", jobs.jobs().size(),
                                event.getWebServer().getPort());
                    }
                }, new ApplicationListener<ContextClosedEvent>() {
                    @Override
                    public void onApplicationEvent(ContextClosedEvent event) {
                        closed.countDown();
                    }
                })
                .run();
        try {
            closed.await();
            while (ctx.isActive()) {
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
