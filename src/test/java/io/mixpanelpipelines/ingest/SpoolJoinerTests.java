package io.mixpanelpipelines.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.source.Spool;
import io.mixpanelpipelines.source.SpoolManifest;
import io.mixpanelpipelines.support.SampleEvents;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A day joined from its slices, each split on its own, is the day split in one go: the same lines (the
 * slices' zstd frames read back to back), the same counts and the same content hash.
 */
class SpoolJoinerTests {

    private static final ZoneId ZONE = ZoneId.of("America/New_York");
    private static final LocalDate DAY = LocalDate.parse("2026-11-01");

    @TempDir
    Path tmp;

    @Test
    void theJoinedDayIsTheDaySplitInOneGo() throws IOException {
        Random random = new Random(14);
        List<StringBuilder> slices = List.of(new StringBuilder(), new StringBuilder(), new StringBuilder());
        StringBuilder whole = new StringBuilder();
        for (int i = 0; i < 4_000; i++) {
            String line = i % 97 == 0 ? "{\"event\":\"broken\"" : event(random, i);
            slices.get(i % 3).append(line).append('\n');
            whole.append(line).append('\n');
        }
        List<Spool> parts = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            Spool split = new Spool(tmp.resolve("split-" + s));
            new WindowSplitter(ZONE, false).split(List.of(raw("raw-" + s, slices.get(s).toString())), "slice-" + s,
                    Map.of(DAY, split));
            parts.add(split);
        }
        Spool joined = new Spool(tmp.resolve("joined"));
        Spool once = new Spool(tmp.resolve("once"));

        SpoolJoiner.join(parts, DAY + "/8h", joined);
        new WindowSplitter(ZONE, false).split(raw("whole", whole.toString()), Map.of(DAY, once));

        SpoolManifest j = joined.manifest();
        SpoolManifest o = once.manifest();
        assertThat(j.window()).isEqualTo(DAY + "/8h");
        assertThat(j.contentHash()).isEqualTo(o.contentHash()).startsWith((4_000 - 42) + ":");
        assertThat(j.unpublishableLines()).isEqualTo(o.unpublishableLines()).isEqualTo(42);
        assertThat(j.lines()).isEqualTo(o.lines()).isEqualTo(4_000);
        assertThat(j.decodedBytes()).isEqualTo(o.decodedBytes());
        String expected = slices.get(0).toString() + slices.get(1) + slices.get(2);
        try (InputStream in = joined.openLines()) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(expected);
        }
    }

    private static String event(Random random, int i) {
        long time = DAY.atStartOfDay(ZONE).toLocalDateTime().toLocalDate().toEpochDay() * 86_400 + random.nextInt(86_400);
        return SampleEvents.varied(random, i).json().replaceFirst("\"time\":[0-9.]+", "\"time\":" + time);
    }

    private Spool raw(String name, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Spool spool = new Spool(tmp.resolve(name));
        try (OutputStream out = spool.beginBody()) {
            out.write(bytes);
        }
        spool.commit(Spool.manifest(name, "identity", bytes.length, 0, bytes.length));
        return spool;
    }
}
