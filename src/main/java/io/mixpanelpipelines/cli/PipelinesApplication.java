package io.mixpanelpipelines.cli;

import io.mixpanelpipelines.job.BatchConfiguration;
import io.mixpanelpipelines.job.ExportJobConfiguration;
import io.mixpanelpipelines.job.ExportRunConfiguration;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;

/**
 * The Spring Boot application behind {@code export}, {@code status} and {@code rerun}: the state database
 * (HikariCP, Flyway), Spring Batch and the export job. Started by {@link Main} once the job file and the
 * credentials are known to be valid.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import({BatchConfiguration.class, ExportJobConfiguration.class, ExportRunConfiguration.class})
public class PipelinesApplication {
}
