package io.mixpanelpipelines.job.day;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.dataset.DatasetLayout;
import io.mixpanelpipelines.source.Spool;
import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.local.LocalStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A remote worker's rejected and repaired lines, copied byte for byte from its disk to the destination. */
class RejectedUploadTests {

    @TempDir
    Path tmp;

    @Test
    void copiesTheStepsNonEmptyFilesBesideTheEventsReplacingAnEarlierCopy() throws Exception {
        Spool daySpool = new Spool(tmp.resolve("spool/it-events/2026-01-02_2026-01-02"));
        Files.createDirectories(daySpool.rejectedDir());
        Files.createDirectories(daySpool.repairedDir());
        String slice = "2026-01-02T03-06";
        Files.writeString(daySpool.rejectedDir().resolve(slice + ".lines"), "{not json\n");
        Files.writeString(daySpool.rejectedDir().resolve(slice + ".reasons"), "7\t1234\tmalformed JSON\n");
        Files.writeString(daySpool.repairedDir().resolve(slice + ".lines"), ""); // nothing repaired: no file
        Files.writeString(daySpool.rejectedDir().resolve("2026-01-02T06-09.lines"), "another slice's\n");
        Path export = tmp.resolve("export");
        DatasetLayout layout = new DatasetLayout(Location.of(export), "123456");
        Files.createDirectories(export.resolve("123456/_rejected"));
        Files.writeString(export.resolve("123456/_rejected/" + slice + ".lines"), "an earlier run's copy\n");

        new RejectedUpload(new LocalStorage(), layout).copy(daySpool, slice);

        assertThat(export.resolve("123456/_rejected/" + slice + ".lines")).hasContent("{not json");
        assertThat(export.resolve("123456/_rejected/" + slice + ".reasons")).hasContent("7\t1234\tmalformed JSON");
        assertThat(export.resolve("123456/_rejected/2026-01-02T06-09.lines")).as("only the step's own files").doesNotExist();
        assertThat(export.resolve("123456/_repaired")).as("an empty file is not copied").doesNotExist();
    }
}
