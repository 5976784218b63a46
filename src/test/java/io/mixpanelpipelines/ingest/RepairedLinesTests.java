package io.mixpanelpipelines.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The originals of repaired lines: appended byte for byte, checkpointed, and cut back on resume. */
class RepairedLinesTests {

    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void keepsLinesByteForByteAndCountsOnlyWhatWasCheckpointed() throws Exception {
        byte[] buf = bytes("xx{\"a\":\"\\ud800\"}yy");
        try (RepairedLines r = new RepairedLines(dir.resolve("_repaired"), "2026-02-01")) {
            r.resetTo(0, 0);
            r.add(buf, 2, buf.length - 4);
            assertThat(r.count()).as("pending until a checkpoint").isZero();
            r.checkpoint();
            assertThat(r.count()).isEqualTo(1);
            assertThat(r.bytes()).isEqualTo(buf.length - 4 + 1);
        }
        assertThat(Files.readString(dir.resolve("_repaired/2026-02-01.lines"))).isEqualTo("{\"a\":\"\\ud800\"}\n");
    }

    @Test
    void aResumeCutsWhatWasWrittenAfterTheCheckpoint() throws Exception {
        long count;
        long length;
        try (RepairedLines r = new RepairedLines(dir, "d")) {
            r.resetTo(0, 0);
            r.add(bytes("one"), 0, 3);
            r.checkpoint();
            count = r.count();
            length = r.bytes();
            r.add(bytes("two"), 0, 3); // written after the checkpoint by a run that then died
        }
        assertThat(Files.readString(dir.resolve("d.lines"))).isEqualTo("one\ntwo\n");

        try (RepairedLines r = new RepairedLines(dir, "d")) {
            r.resetTo(count, length);
            assertThat(Files.readString(dir.resolve("d.lines"))).isEqualTo("one\n");
            r.add(bytes("three"), 0, 5);
            r.checkpoint();
            assertThat(r.count()).isEqualTo(2);
            assertThat(r.bytes()).isEqualTo(10);
        }
        assertThat(Files.readString(dir.resolve("d.lines"))).isEqualTo("one\nthree\n");

        try (RepairedLines r = new RepairedLines(dir, "d")) {
            r.resetTo(0, 0); // a fresh start: nothing of before is kept
            assertThat(dir.resolve("d.lines")).doesNotExist();
        }
    }
}
