package io.mixpanelpipelines.job.day;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mixpanelpipelines.config.InvalidJobException;
import io.mixpanelpipelines.ingest.SpoolLineReader;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

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
        assertThat(CheckpointInterval.parse("5MB")).isEqualTo(new CheckpointInterval(SpoolLineReader.BATCH_BYTES, 2));
    }

    @Test
    void aContextReadsItFromThePropertyOrItsEnvironmentVariable() {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        env.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        assertThat(CheckpointInterval.configured(env)).isEqualTo(CheckpointInterval.DEFAULT);

        env.getPropertySources().addFirst(new SystemEnvironmentPropertySource("env",
                Map.of("PIPELINES_EXPORT_CHECKPOINT_BYTES", "2MB")));
        assertThat(CheckpointInterval.configured(env)).isEqualTo(new CheckpointInterval(SpoolLineReader.BATCH_BYTES, 1));
    }

    @Test
    void aSizeOutOfBoundsOrNotASizeIsRefusedNamingTheProperty() {
        assertThatThrownBy(() -> CheckpointInterval.parse("63KB")).isInstanceOf(InvalidJobException.class)
                .hasMessage("pipelines.export.checkpoint-bytes must be between 64KB and 8MB: 64512 bytes");
        assertThatThrownBy(() -> CheckpointInterval.parse("9MB")).hasMessageContaining("between 64KB and 8MB");
        assertThatThrownBy(() -> new CheckpointInterval(1 << 20, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CheckpointInterval.parse("lots")).isInstanceOf(InvalidJobException.class)
                .hasMessage("pipelines.export.checkpoint-bytes is not a size such as 8MB or 512KB: 'lots'");
        assertThatThrownBy(() -> CheckpointInterval.parse("-1MB")).hasMessageContaining("between 64KB and 8MB");
    }
}
