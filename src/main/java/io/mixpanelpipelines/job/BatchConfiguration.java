package io.mixpanelpipelines.job;

import org.springframework.batch.core.configuration.support.JdbcDefaultBatchConfiguration;
import org.springframework.context.annotation.Configuration;

/**
 * Spring Batch on the state database: its JobRepository in the same database as the partition ledger and
 * the request log. Its tables are created by Flyway from {@code sql/state/<vendor>/V1__spring_batch.sql}
 * (Spring Batch's own schema script), never by Spring Batch itself.
 */
@Configuration(proxyBeanMethods = false)
public class BatchConfiguration extends JdbcDefaultBatchConfiguration {
}
