package io.mixpanelpipelines.warehouse;

import io.mixpanelpipelines.dataset.PublishedDay;
import io.mixpanelpipelines.convert.parquet.EventParquetWriter;
import io.mixpanelpipelines.convert.json.MixpanelEventParser;
import io.mixpanelpipelines.convert.parquet.ParquetWriterOptions;
import io.mixpanelpipelines.convert.json.ParsedEvent;
import io.mixpanelpipelines.dataset.DatasetLayout;
import io.mixpanelpipelines.dataset.DayManifest;
import io.mixpanelpipelines.dataset.DayPublisher;
import io.mixpanelpipelines.dataset.PartInfo;
import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.local.LocalStorage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Publishes test days the way an export does: Parquet parts by our writer, then DayPublisher's manifest. */
public final class PublishedDays {

    public final LocalStorage storage = new LocalStorage();
    final DatasetLayout layout;
    final DayPublisher publisher;

    public PublishedDays(Path root) {
        layout = new DatasetLayout(Location.of(root), "123456");
        publisher = new DayPublisher(storage, layout);
    }

    /** A Mixpanel export line of {@code day}, with awkward values: tabs, newlines, backslashes, unicode, a huge integer. */
    static String line(LocalDate day, int i, String tag) {
        long ms = day.atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli() + i * 1000L + 123;
        String distinct = i % 7 == 0 ? "tab\\there\\nnew\\\\line\\r" : "u" + (i % 50);
        return "{\"event\":\"" + (i % 3 == 0 ? "Signed up" : "Viewed \\u00e9cran") + "\",\"properties\":{\"time\":" + ms
                + ",\"distinct_id\":\"" + distinct + "\",\"$insert_id\":\"" + tag + "-" + i + "\""
                + (i % 5 == 0 ? "" : ",\"$device_id\":\"d" + i + "\"")
                + ",\"mp_processing_time_ms\":" + (ms + 5000)
                + ",\"big\":12345678901234567890123,\"nested\":{\"a\":[1,2,{\"b\":null}]},\"k\":\"\\\"q\\\" \\\\ ☃\"}}";
    }

    public static List<String> lines(LocalDate day, int count, String tag) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(line(day, i, tag));
        }
        return out;
    }

    /** Writes the lines as two parts and publishes the day; returns what a loader is given. */
    public PublishedDay publish(LocalDate day, List<String> lines, String runId) throws Exception {
        MixpanelEventParser parser = new MixpanelEventParser(ZoneOffset.UTC, true);
        List<PartInfo> parts = new ArrayList<>();
        int half = lines.size() / 2;
        for (int p = 0; p < 2; p++) {
            List<String> chunk = p == 0 ? lines.subList(0, half) : lines.subList(half, lines.size());
            String name = DatasetLayout.partName(p, runId);
            EventParquetWriter w = new EventParquetWriter(storage.newOutputFile(layout.staging(day).resolve(name)),
                    ParquetWriterOptions.defaults());
            for (String l : chunk) {
                byte[] b = l.getBytes(StandardCharsets.UTF_8);
                ParsedEvent e = new ParsedEvent();
                parser.parse(b, 0, b.length, e);
                w.write(e, b);
            }
            w.close();
            parts.add(new PartInfo(name, chunk.size(), w.fileSize()));
        }
        DayManifest m = new DayManifest(1, "job", "123456", day, "UTC", runId, Instant.now(), lines.size(), 0, 0, 0, parts,
                new DayManifest.Request(day + ".." + day, true, lines.size(), Instant.now()), "h" + runId, 0);
        publisher.publish(m);
        return PublishedDay.of(publisher.read(day).orElseThrow(), layout);
    }
}
