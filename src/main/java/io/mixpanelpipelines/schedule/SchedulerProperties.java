package io.mixpanelpipelines.schedule;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the {@code schedule} service ({@code pipelines.schedule.*}). The grace period of a SIGTERM
 * is Spring's {@code spring.lifecycle.timeout-per-shutdown-phase}.
 *
 * @param lockAtMostFor how long a job's lock outlives a replica that died without releasing it; a live
 *     replica extends it every half of this while its run lasts (ShedLock's minimum is 30s)
 */
@ConfigurationProperties("pipelines.schedule")
public record SchedulerProperties(@DefaultValue("2m") Duration lockAtMostFor) {
}
