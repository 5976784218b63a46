package io.mixpanelpipelines.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The {@code warehouse:} section: the contract's names, and every problem reported with its key. */
class WarehouseSettingsLoaderTests {

    static String job(String destination, String warehouse) {
        return "name: j\nmixpanel:\n  projectId: \"1\"\n  auth:\n    projectSecretEnv: S\nexport:\n  startDate: 2026-01-01\n"
                + "destination:\n  uri: " + destination + "\nwarehouse:\n" + warehouse.indent(2);
    }

    @Test
    void theIssuesExampleParses() {
        WarehouseSettings w = new JobDefinitionLoader().parse(job("/tmp/x", """
                type: postgresql
                url: jdbc:postgresql://127.0.0.1:5432/analytics
                usernameEnv: WAREHOUSE_USER
                passwordEnv: WAREHOUSE_PASSWORD
                table: mixpanel.events
                """)).warehouse();

        assertThat(w.type()).isEqualTo(WarehouseType.POSTGRESQL);
        assertThat(w.url()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/analytics");
        assertThat(w.username().env()).isEqualTo("WAREHOUSE_USER");
        assertThat(w.password().env()).isEqualTo("WAREHOUSE_PASSWORD");
        assertThat(w.target()).isEqualTo("postgresql:mixpanel.events");
    }

    @Test
    void aJobWithoutTheSectionHasNoWarehouse() {
        assertThat(new JobDefinitionLoader().parse(job("/tmp/x", "").replace("warehouse:\n", "")).warehouse()).isNull();
    }

    @Test
    void everyProblemIsNamedWithItsKeyAndNoSecretIsEchoed() {
        assertThatThrownBy(() -> new JobDefinitionLoader().parse(job("/tmp/x", """
                type: postgresql
                url: jdbc:postgresql://db/analytics?password=hunter2
                passwordEnv: hunter2
                table: events
                stage: s
                colour: blue
                """))).isInstanceOf(InvalidJobException.class)
                .hasMessageContaining("warehouse.url: must not carry credentials")
                .hasMessageContaining("warehouse.passwordEnv: must be the NAME of an environment variable")
                .hasMessageContaining("warehouse.table: 'events' must be schema.table")
                .hasMessageContaining("warehouse.stage: is only used by snowflake")
                .hasMessageContaining("warehouse.colour: unknown key")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    }

    @Test
    void cloudWarehousesNeedTheirObjectStoreAndSettings() {
        assertThatThrownBy(() -> new JobDefinitionLoader().parse(job("/tmp/x", "type: bigquery\ntable: mixpanel.events\n")))
                .hasMessageContaining("warehouse.type: bigquery loads from gs:// only");
        assertThatThrownBy(() -> new JobDefinitionLoader().parse(job("s3://b/p", "type: redshift\nurl: jdbc:redshift://h:5439/db\ntable: a.b\n")))
                .hasMessageContaining("warehouse.iamRole: is required for redshift");
        assertThatThrownBy(() -> new JobDefinitionLoader().parse(job("s3://b/p", "type: snowflake\nurl: jdbc:snowflake://x\ntable: a.b\n")))
                .hasMessageContaining("warehouse.stage: is required for snowflake");
        assertThatThrownBy(() -> new JobDefinitionLoader().parse(job("/tmp/x", "type: oracle\ntable: a.b\n")))
                .hasMessageContaining("warehouse.type: 'oracle' is not one of postgresql, duckdb, bigquery, snowflake, redshift");
    }
}
