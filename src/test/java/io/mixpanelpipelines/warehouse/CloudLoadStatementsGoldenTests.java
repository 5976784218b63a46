package io.mixpanelpipelines.warehouse;

import io.mixpanelpipelines.dataset.PublishedDay;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.bigquery.LoadJobConfiguration;
import io.mixpanelpipelines.dataset.DatasetLayout;
import io.mixpanelpipelines.dataset.DayManifest;
import io.mixpanelpipelines.dataset.PartInfo;
import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.warehouse.bigquery.BigQueryLoadJobs;
import io.mixpanelpipelines.warehouse.redshift.RedshiftLoadStatements;
import io.mixpanelpipelines.warehouse.snowflake.SnowflakeLoadStatements;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The cloud warehouses cannot run here: the exact statements Snowflake and Redshift receive and the
 * BigQuery load-job configuration are compared with golden files in {@code src/test/resources/golden/warehouse}.
 * After a deliberate change, regenerate them with {@code -Dgolden.update=true} and review the diff.
 */
class CloudLoadStatementsGoldenTests {

    private static final Path GOLDEN = Path.of("src/test/resources/golden/warehouse");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    static PublishedDay day(String root) {
        DatasetLayout layout = new DatasetLayout(Location.of(root), "123456");
        LocalDate d = LocalDate.parse("2026-01-02");
        DayManifest m = new DayManifest(1, "acme-events", "123456", d, "UTC", "20260103T010203Z-abc123",
                Instant.parse("2026-01-03T01:05:00Z"), 3000, 123456, 0, 0,
                List.of(new PartInfo("part-00000-20260103T010203Z-abc123.parquet", 2000, 80000),
                        new PartInfo("part-00001-20260103T010203Z-abc123.parquet", 1000, 43456)),
                new DayManifest.Request("2026-01-02..2026-01-02", true, 3000, Instant.parse("2026-01-03T01:04:00Z")),
                "00000bb8-0123456789abcdef", 0);
        return PublishedDay.of(m, layout);
    }

    static String render(JdbcStatementLoader.LoadStatements s, PublishedDay day) {
        StringBuilder sb = new StringBuilder("-- prepare (autocommit)\n");
        s.prepare().forEach(x -> sb.append(x).append(";\n"));
        sb.append("\n-- load ").append(day.day()).append(" (one transaction)\nBEGIN;\n");
        s.load(day).forEach(x -> sb.append(x).append(";\n"));
        sb.append("-- then checked against the manifest's ").append(day.rows()).append(" rows:\n")
                .append(s.countRows(day)).append(";\nCOMMIT;\n");
        return sb.toString();
    }

    static void assertGolden(String name, String actual) throws Exception {
        Path file = GOLDEN.resolve(name);
        if (Boolean.getBoolean("golden.update")) {
            Files.createDirectories(GOLDEN);
            Files.writeString(file, actual, StandardCharsets.UTF_8);
        }
        assertThat(actual).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
    }

    @Test
    void snowflakeDeletesTheDayThenCopiesExactlyTheManifestsFilesFromTheStage() throws Exception {
        PublishedDay day = day("s3://acme-data/mixpanel/raw");
        SnowflakeLoadStatements s = new SnowflakeLoadStatements("analytics.mixpanel_events", "analytics.public.mixpanel_stage",
                Location.of("s3://acme-data/mixpanel/raw"));

        assertGolden("snowflake-load.sql", render(s, day));
    }

    @Test
    void redshiftDeletesTheDayThenCopiesEachFileAsParquetWithTheIamRole() throws Exception {
        PublishedDay day = day("s3://acme-data/mixpanel/raw");
        RedshiftLoadStatements s = new RedshiftLoadStatements("analytics.mixpanel_events",
                "arn:aws:iam::123456789012:role/redshift-mixpanel-load");

        assertGolden("redshift-load.sql", render(s, day));
    }

    @Test
    void bigQueryTruncatesTheDaysPartitionThroughItsDecorator() throws Exception {
        PublishedDay day = day("gs://acme-data/mixpanel/raw");
        BigQueryLoadJobs jobs = new BigQueryLoadJobs("acme-analytics", "mixpanel", "events",
                new DatasetLayout(Location.of("gs://acme-data/mixpanel/raw"), "123456"));

        LoadJobConfiguration c = jobs.configuration(day);

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("destinationTable", c.getDestinationTable().getProject() + ":" + c.getDestinationTable().getDataset() + "."
                + c.getDestinationTable().getTable());
        m.put("sourceUris", c.getSourceUris());
        m.put("sourceFormat", c.getFormat());
        m.put("writeDisposition", c.getWriteDisposition().name());
        m.put("createDisposition", c.getCreateDisposition().name());
        Map<String, Object> tp = new LinkedHashMap<>();
        tp.put("type", c.getTimePartitioning().getType().name());
        tp.put("field", c.getTimePartitioning().getField());
        m.put("timePartitioning", tp);
        Map<String, Object> hp = new LinkedHashMap<>();
        hp.put("mode", c.getHivePartitioningOptions().getMode());
        hp.put("sourceUriPrefix", c.getHivePartitioningOptions().getSourceUriPrefix());
        m.put("hivePartitioning", hp);
        m.put("maxBadRecords", c.getMaxBadRecords());
        m.put("ignoreUnknownValues", c.ignoreUnknownValues());
        m.put("schema", c.getSchema().getFields().stream().map(f -> {
            Map<String, Object> fm = new LinkedHashMap<>();
            fm.put("name", f.getName());
            fm.put("type", f.getType().getStandardType().name());
            fm.put("mode", f.getMode() == null ? "NULLABLE" : f.getMode().name());
            return fm;
        }).toList());

        assertGolden("bigquery-load-job.json", JSON.writerWithDefaultPrettyPrinter().writeValueAsString(m) + "\n");
    }
}
