package io.mixpanelpipelines.job.day;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mixpanelpipelines.ingest.SpoolLineReader;
import org.junit.jupiter.api.Test;

class CheckpointIntervalTests {

    @Test
    void theDefaultIsFourBatchesOfAbout2MiB() {
        assertThat(CheckpointInterval.parse(null)).isEqualTo(new CheckpointInterval(SpoolLineReader.BATCH_BYTES, 4));
        assertThat(CheckpointInterval.parse(" ")).isEqualTo(CheckpointInterval.DEFAULT);
        assertThat(CheckpointInterval.parse("8MB")).isEqualTo(CheckpointInterval.DEFAULT);
    }

    @Test
    void aSmallerIntervalIsOneBatchOfItsSizeALargerOneMoreBatches() {
        assertThat(CheckpointInterval.parse("2MB")).isEqualTo(new CheckpointInterval(SpoolLineReader.BATCH_BYTES, 1));
        assertThat(CheckpointInterval.parse("512KB")).isEqualTo(new CheckpointInterval(512 * 1024, 1));
        assertThat(CheckpointInterval.parse("64KB")).isEqualTo(new CheckpointInterval(64 * 1024, 1));
        assertThat(CheckpointInterval.parse("64MB")).isEqualTo(new CheckpointInterval(SpoolLineReader.BATCH_BYTES, 32));
    }

    @Test
    void aSizeOutOfBoundsOrNotASizeIsRefusedNamingTheProperty() {
        assertThatThrownBy(() -> CheckpointInterval.parse("63KB")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pipelines.export.checkpoint-bytes must be between 64KB and 64MB: 64512 bytes");
        assertThatThrownBy(() -> CheckpointInterval.parse("65MB")).hasMessageContaining("between 64KB and 64MB");
        assertThatThrownBy(() -> CheckpointInterval.parse("lots")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pipelines.export.checkpoint-bytes is not a size such as 8MB or 512KB: 'lots'");
        assertThatThrownBy(() -> CheckpointInterval.parse("-1MB")).hasMessageContaining("between 64KB and 64MB");
    }
}
