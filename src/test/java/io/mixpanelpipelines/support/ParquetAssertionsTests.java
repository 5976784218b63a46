package io.mixpanelpipelines.support;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mixpanelpipelines.convert.json.MixpanelEventParser;
import io.mixpanelpipelines.convert.json.ParsedEvent;
import io.mixpanelpipelines.convert.parquet.EventParquetWriter;
import io.mixpanelpipelines.convert.parquet.ParquetWriterOptions;
import io.mixpanelpipelines.simulator.MixpanelSimulator;
import io.mixpanelpipelines.storage.Location;
import io.mixpanelpipelines.storage.local.LocalStorage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The integration tests' exactness check fails for each way a dataset can differ from what was served. */
class ParquetAssertionsTests {

    private static final LocalDate DAY = LocalDate.of(2024, 3, 9);

    @TempDir
    Path dir;

    private List<String> served;

    @BeforeEach
    void serve() {
        served = MixpanelSimulator.builder().seed(5).projectSecret("s").eventsPerDay(400).build().expectedLines(DAY, true);
    }

    @Test
    void theServedLinesPass() throws Exception {
        write(DAY, served);

        assertThatCode(() -> ParquetAssertions.assertExactly(dir, Map.of(DAY, served))).doesNotThrowAnyException();
    }

    @Test
    void aRowMissingIsNamed() throws Exception {
        write(DAY, served.subList(1, served.size()));

        assertThatThrownBy(() -> ParquetAssertions.assertExactly(dir, Map.of(DAY, served)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("distinct rows");
    }

    @Test
    void aRowTwiceIsNamedWithItsCount() throws Exception {
        List<String> twice = new ArrayList<>(served);
        twice.add(served.get(7));
        write(DAY, twice);

        assertThatThrownBy(() -> ParquetAssertions.assertExactly(dir, Map.of(DAY, served)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("with another count e.g. [" + DAY);
    }

    @Test
    void oneByteOfOnePropertyValueIsNamed() throws Exception {
        List<String> altered = new ArrayList<>(served);
        String line = served.get(3);
        int at = line.indexOf("\"distinct_id\":\"") + "\"distinct_id\":\"".length();
        altered.set(3, line.substring(0, at) + (line.charAt(at) == 'x' ? 'y' : 'x') + line.substring(at + 1));
        write(DAY, served);

        assertThatThrownBy(() -> ParquetAssertions.assertExactly(dir, Map.of(DAY, altered)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("missing e.g. [" + DAY);
    }

    @Test
    void aRowInAnotherDaysFolderIsNamed() throws Exception {
        write(DAY, served.subList(1, served.size()));
        write(DAY.plusDays(1), served.subList(0, 1));

        assertThatThrownBy(() -> ParquetAssertions.assertExactly(dir, Map.of(DAY, served)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("extra e.g. [" + DAY.plusDays(1));
    }

    /** Writes {@code lines} with the real writer into {@code day}'s folder. */
    private void write(LocalDate day, List<String> lines) throws Exception {
        MixpanelEventParser parser = new MixpanelEventParser(ZoneOffset.UTC, true);
        ParsedEvent event = new ParsedEvent();
        Path file = dir.resolve("event_date=" + day).resolve("part-0.parquet");
        EventParquetWriter writer = new EventParquetWriter(new LocalStorage().newOutputFile(Location.of(file)),
                ParquetWriterOptions.defaults());
        for (String line : lines) {
            byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
            parser.parse(bytes, 0, bytes.length, event);
            writer.write(event, bytes);
        }
        writer.close();
    }
}
