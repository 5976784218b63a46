package io.mixpanelpipelines.warehouse;

import static io.mixpanelpipelines.warehouse.CloudLoadStatementsGoldenTests.assertGolden;

import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.warehouse.bigquery.BigQueryProfileIdentityStatements;
import io.mixpanelpipelines.warehouse.redshift.RedshiftProfileIdentityStatements;
import io.mixpanelpipelines.warehouse.snowflake.SnowflakeProfileIdentityStatements;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The people and identity statements of the cloud warehouses, which cannot run here, compared with golden
 * files in {@code src/test/resources/golden/warehouse} (regenerate with {@code -Dgolden.update=true} after a
 * deliberate change and review the diff): a snapshot of two parts, a changes folder, a group table, an
 * identity day.
 */
class CloudProfileIdentityStatementsGoldenTests {

    static DatasetFolder folder(String root, String dataset, String name, String date, String... parts) {
        Location folder = Location.of(root).resolve("123456", dataset, name + "=" + date);
        return new DatasetFolder(dataset, LocalDate.parse(date), folder, List.of(parts).stream().map(folder::resolve).toList(), true,
                "0123456789abcdef0123456789abcdef");
    }

    static String render(ProfileIdentityStatements s, String root) {
        DatasetFolder snapshot = folder(root, "people", "snapshot_date", "2026-01-02", "part-00000.parquet", "part-00001.parquet");
        DatasetFolder changes = folder(root, "people_changes", "snapshot_date", "2026-01-03", "part-00000.parquet");
        DatasetFolder group = folder(root, "groups/7", "snapshot_date", "2026-01-02", "part-00000.parquet");
        DatasetFolder day = folder(root, "identity_mappings", "date", "2026-01-02", "part-00000.parquet");
        StringBuilder sb = new StringBuilder();
        section(sb, "prepare (autocommit)", s.prepare());
        section(sb, "people: replace with snapshot 2026-01-02 (one transaction)", s.replaceProfiles("people", snapshot));
        sb.append(s.countRows("people", snapshot)).append(";\n");
        section(sb, "people: merge changes 2026-01-03 (one transaction)", s.mergeProfiles("people", changes));
        section(sb, "groups/7: create (autocommit)", s.prepareProfileTable("groups_7"));
        section(sb, "groups/7: replace with snapshot 2026-01-02 (one transaction)", s.replaceProfiles("groups_7", group));
        section(sb, "identity_mappings: day 2026-01-02 (one transaction)", s.loadIdentityDay(day));
        sb.append(s.countRows("identity_mapping_days", day)).append(";\n");
        section(sb, "identity_mappings: day 2026-01-01, its folder gone (one transaction)",
                s.removeIdentityDay(LocalDate.parse("2026-01-01")));
        return sb.toString();
    }

    private static void section(StringBuilder sb, String title, List<String> sql) {
        sb.append(sb.isEmpty() ? "" : "\n").append("-- ").append(title).append('\n');
        sql.forEach(x -> sb.append(x).append(";\n"));
    }

    @Test
    void snowflakeCopiesEachFolderIntoAStagingTableThenReplacesOrCorrectsTheTarget() throws Exception {
        String root = "s3://acme-data/mixpanel/raw";
        assertGolden("snowflake-people-identity.sql", render(new SnowflakeProfileIdentityStatements("analytics",
                "analytics.mixpanel_events", "analytics.public.mixpanel_stage", Location.of(root)), root));
    }

    @Test
    void redshiftCopiesEachFileIntoATemporaryTableThenReplacesOrCorrectsTheTarget() throws Exception {
        String root = "s3://acme-data/mixpanel/raw";
        assertGolden("redshift-people-identity.sql", render(new RedshiftProfileIdentityStatements("analytics",
                "analytics.mixpanel_events", "arn:aws:iam::123456789012:role/redshift-mixpanel-load"), root));
    }

    @Test
    void bigQueryLoadsAStagingTableThenReplacesOrCorrectsTheTargetInATransaction() throws Exception {
        String root = "gs://acme-data/mixpanel/raw";
        assertGolden("bigquery-people-identity.sql", render(new BigQueryProfileIdentityStatements("acme-analytics", "mixpanel",
                "events"), root));
    }
}
