package io.mixpanelpipelines.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.local.LocalStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manifest's round trip, and manifests written by earlier versions. */
class DayPublisherTests {

    static final LocalDate DAY = LocalDate.parse("2026-02-01");

    @TempDir
    Path root;

    @Test
    void theManifestRoundTripsWithItsRepairedLineCount() throws Exception {
        DayPublisher publisher = new DayPublisher(new LocalStorage(), new DatasetLayout(Location.of(root), "1"));
        DayManifest m = new DayManifest(1, "job", "1", DAY, "UTC", "run", Instant.parse("2026-02-02T00:00:00Z"), 0, 0,
                2, 3, List.of(), new DayManifest.Request(DAY + ".." + DAY, true, 5, Instant.parse("2026-02-02T00:00:00Z")),
                "h", 0);
        publisher.publish(m);

        assertThat(Files.readString(root.resolve("1/events/event_date=" + DAY + "/_SUCCESS")))
                .contains("\"rejectedLines\" : 2").contains("\"repairedLines\" : 3");
        assertThat(publisher.read(DAY)).contains(m);
    }

    @Test
    void publishingRemovesTheEmptiedStagingFoldersButKeepsAnotherDaysParts() throws Exception {
        DayPublisher publisher = new DayPublisher(new LocalStorage(), new DatasetLayout(Location.of(root), "1"));
        Path staged = root.resolve("1/_staging/events/event_date=" + DAY);
        Files.createDirectories(staged);
        Files.writeString(staged.resolve("part-00000-run.parquet"), "part");
        Path other = root.resolve("1/_staging/events/event_date=" + DAY.plusDays(1));
        Files.createDirectories(other);
        Files.writeString(other.resolve("part-00000-run.parquet"), "other");
        DayManifest m = new DayManifest(1, "job", "1", DAY, "UTC", "run", Instant.parse("2026-02-02T00:00:00Z"), 1, 4,
                0, 0, List.of(new PartInfo("part-00000-run.parquet", 1, 4)),
                new DayManifest.Request(DAY + ".." + DAY, true, 1, Instant.parse("2026-02-02T00:00:00Z")), "h", 0);

        publisher.publish(m);

        assertThat(root.resolve("1/events/event_date=" + DAY + "/part-00000-run.parquet")).hasContent("part");
        assertThat(staged).doesNotExist();
        assertThat(other.resolve("part-00000-run.parquet")).as("another day's staged part stays").hasContent("other");

        Files.delete(other.resolve("part-00000-run.parquet"));
        Files.delete(other);
        publisher.publish(m); // a publish again, its parts published already
        assertThat(root.resolve("1/_staging/events/event_date=" + DAY)).doesNotExist();
        assertThat(root.resolve("1/events/event_date=" + DAY + "/part-00000-run.parquet")).hasContent("part");
    }

    @Test
    void aManifestWrittenBeforeRepairedLinesWereCountedReadsAsZero() throws Exception {
        Path file = root.resolve("1/events/event_date=" + DAY + "/_SUCCESS");
        Files.createDirectories(file.getParent());
        Files.writeString(file, """
                {"schemaVersion":1,"job":"job","projectId":"1","eventDate":"2026-02-01","timezone":"UTC","runId":"run",
                 "publishedAt":"2026-02-02T00:00:00Z","rows":0,"bytes":0,"rejectedLines":2,"files":[],
                 "request":{"window":"2026-02-01..2026-02-01","timeInMs":true,"lines":2,"receivedAt":"2026-02-02T00:00:00Z"},
                 "contentHash":"h","lateEvents":0}
                """);
        DayPublisher publisher = new DayPublisher(new LocalStorage(), new DatasetLayout(Location.of(root), "1"));

        DayManifest m = publisher.read(DAY).orElseThrow();

        assertThat(m.repairedLines()).isZero();
        assertThat(m.rejectedLines()).isEqualTo(2);
    }
}
