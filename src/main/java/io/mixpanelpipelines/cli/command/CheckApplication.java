package io.mixpanelpipelines.cli.command;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * The Spring Boot application behind {@code check}: the state database and its Flyway configuration,
 * bound from exactly the sources the other commands use, but never migrated (a check changes nothing)
 * and started lazily, so that an unreachable database is a failed check rather than a failed start.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@ImportAutoConfiguration({DataSourceAutoConfiguration.class, FlywayAutoConfiguration.class})
public class CheckApplication {

    /** Flyway is only asked what it would do ({@code info()}), never to do it. */
    @Bean
    FlywayMigrationStrategy neverMigrate() {
        return flyway -> {
        };
    }
}
