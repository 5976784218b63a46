package io.mixpanelpipelines.warehouse.bigquery;

import com.google.cloud.bigquery.Field;
import com.google.cloud.bigquery.FormatOptions;
import com.google.cloud.bigquery.HivePartitioningOptions;
import com.google.cloud.bigquery.JobInfo;
import com.google.cloud.bigquery.LoadJobConfiguration;
import com.google.cloud.bigquery.Schema;
import com.google.cloud.bigquery.StandardSQLTypeName;
import com.google.cloud.bigquery.TableId;
import com.google.cloud.bigquery.TimePartitioning;
import io.mixpanelpipelines.dataset.DatasetLayout;
import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.dataset.PublishedDay;
import java.time.format.DateTimeFormatter;

/**
 * The BigQuery load job of a day, built without a connection so tests compare it with a golden file:
 * the manifest's Parquet files on GCS into the day's partition of a table partitioned by
 * {@code event_date} (the partition decorator {@code table$YYYYMMDD} with WRITE_TRUNCATE replaces that
 * partition and nothing else, atomically). {@code event_date} comes from the folder name through hive
 * partitioning; {@code properties} is loaded as JSON.
 *
 * <p><b>Values in {@code properties}</b> (BigQuery's JSON type; cloud.google.com/bigquery/docs/json-data):
 * <ul>
 *   <li>Nesting: the JSON type nests at most 500 levels, the export's own limit (deeper lines are rejected
 *       lines), so no day fails on it.
 *   <li>The JSON type stores parsed values, not the text (the page says each field is encoded
 *       individually), so the exported text is not expected back byte for byte. How it treats duplicate keys, numbers beyond INT64/UINT64/FLOAT64 and
 *       {@code \u0000} when loading Parquet is not stated in the documentation found; not verified (no
 *       BigQuery here), and {@code maxBadRecords = 0} means such a failure fails the whole day, never
 *       drops a row silently. The same page lists batch loads of JSON columns from CSV, Avro and JSON
 *       only: loading Parquet's JSON logical type into it is to be checked against a real BigQuery.
 *   <li>Broken surrogate escapes never arrive: the export publishes them as {@code \ufffd}; invalid
 *       UTF-8 never arrives: it is a rejected line.
 * </ul>
 */
public final class BigQueryLoadJobs {

    /** The table's schema, also used to create it on the first load. */
    public static final Schema SCHEMA = Schema.of(
            Field.newBuilder("event_date", StandardSQLTypeName.DATE).setMode(Field.Mode.REQUIRED).build(),
            Field.newBuilder("event_name", StandardSQLTypeName.STRING).setMode(Field.Mode.REQUIRED).build(),
            Field.newBuilder("time", StandardSQLTypeName.TIMESTAMP).setMode(Field.Mode.REQUIRED).build(),
            Field.of("distinct_id", StandardSQLTypeName.STRING),
            Field.of("insert_id", StandardSQLTypeName.STRING),
            Field.of("device_id", StandardSQLTypeName.STRING),
            Field.of("user_id", StandardSQLTypeName.STRING),
            Field.of("mp_processing_time", StandardSQLTypeName.TIMESTAMP),
            Field.of("properties", StandardSQLTypeName.JSON));

    private final String projectId;
    private final String dataset;
    private final String table;
    private final DatasetLayout layout;

    /** @param projectId null: the client's default project */
    public BigQueryLoadJobs(String projectId, String dataset, String table, DatasetLayout layout) {
        this.projectId = projectId;
        this.dataset = dataset;
        this.table = table;
        this.layout = layout;
    }

    public TableId partition(PublishedDay day) {
        String decorated = table + "$" + DateTimeFormatter.BASIC_ISO_DATE.format(day.day());
        return projectId == null ? TableId.of(dataset, decorated) : TableId.of(projectId, dataset, decorated);
    }

    public LoadJobConfiguration configuration(PublishedDay day) {
        Location events = layout.events();
        return LoadJobConfiguration.newBuilder(partition(day), day.files().stream().map(Location::toString).toList(),
                        FormatOptions.parquet())
                .setSchema(SCHEMA)
                .setTimePartitioning(TimePartitioning.newBuilder(TimePartitioning.Type.DAY).setField("event_date").build())
                .setHivePartitioningOptions(HivePartitioningOptions.newBuilder()
                        .setMode("CUSTOM")
                        .setSourceUriPrefix(events + "/{event_date:DATE}")
                        .build())
                .setWriteDisposition(JobInfo.WriteDisposition.WRITE_TRUNCATE)
                .setCreateDisposition(JobInfo.CreateDisposition.CREATE_IF_NEEDED)
                .setIgnoreUnknownValues(false)
                .setMaxBadRecords(0)
                .build();
    }
}
