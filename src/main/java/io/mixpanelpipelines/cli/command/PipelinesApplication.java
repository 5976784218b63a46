package io.mixpanelpipelines.cli.command;

import io.mixpanelpipelines.job.BatchConfiguration;
import io.mixpanelpipelines.job.ExportJobConfiguration;
import io.mixpanelpipelines.job.ExportRunConfiguration;
import io.mixpanelpipelines.job.RemotePartitioning;
import io.mixpanelpipelines.job.PeopleRunConfiguration;
import io.mixpanelpipelines.state.jdbc.StateSchema;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The Spring Boot application behind {@code export}, {@code status} and {@code rerun}: the state database
 * (HikariCP, Flyway), Spring Batch and the export job. Started by {@link Main} once the job file and the
 * credentials are known to be valid.
 */
// no bean method calls another, so no CGLIB subclass of this class is made at start
@SpringBootConfiguration(proxyBeanMethods = false)
// only what the commands use (the state database and its migrations): scanning every auto-configuration
// on the class path cost about a second of each command's start
@ImportAutoConfiguration({DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
        FlywayAutoConfiguration.class})
@Import({BatchConfiguration.class, ExportJobConfiguration.class, ExportRunConfiguration.class, RemotePartitioning.class,
        PeopleRunConfiguration.class})
public class PipelinesApplication {

    /**
     * For the build only: Spring's ahead-of-time processing (the pom's {@code process-aot}) runs this, stops the
     * application before any bean exists and writes its context as code ({@link AheadOfTime}). Commands start
     * the application themselves ({@link CommandContext}), with their job file.
     */
    public static void main(String[] args) {
        new SpringApplicationBuilder(PipelinesApplication.class).run(args);
    }

    /** Flyway only when the state store lacks this build's migrations (see {@link StateSchema}). */
    @Bean
    FlywayMigrationStrategy migrateUnlessCurrent() {
        return StateSchema::migrateUnlessCurrent;
    }
}
