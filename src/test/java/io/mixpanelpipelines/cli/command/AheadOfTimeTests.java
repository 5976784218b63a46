package io.mixpanelpipelines.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** When a command starts from the build's processed Spring context, and when it must not. */
class AheadOfTimeTests {

    private static final Predicate<String> MADE = name -> name.equals(AheadOfTime.INITIALIZER);
    private static final Predicate<String> NOT_MADE = name -> false;

    @Test
    void theCommandLinesOwnProcessUsesWhatTheBuildMadeForPipelinesApplication() {
        assertThat(AheadOfTime.INITIALIZER).isEqualTo(
                "io.mixpanelpipelines.cli.command.PipelinesApplication__ApplicationContextInitializer");
        assertThat(AheadOfTime.decide(true, PipelinesApplication.class, null, Map.of(), Map.of(), null, MADE)).isTrue();
        assertThat(AheadOfTime.decide(true, PipelinesApplication.class, "true", Map.of(), Map.of(), null, MADE)).isTrue();
    }

    @Test
    void notInAnotherProcessNorForAnotherApplicationNorWhenTheBuildMadeNone() {
        assertThat(AheadOfTime.decide(false, PipelinesApplication.class, null, Map.of(), Map.of(), null, MADE))
                .as("tests and tools running commands in their own JVM").isFalse();
        assertThat(AheadOfTime.decide(true, CheckApplication.class, null, Map.of(), Map.of(), null, MADE)).isFalse();
        assertThat(AheadOfTime.decide(true, WorkerApplication.class, null, Map.of(), Map.of(), null, MADE)).isFalse();
        assertThat(AheadOfTime.decide(true, PipelinesApplication.class, null, Map.of(), Map.of(), null, NOT_MADE)).isFalse();
    }

    @Test
    void notWhenTurnedOffNorWhenTheUserNamesALoggingFile() {
        assertThat(AheadOfTime.decide(true, PipelinesApplication.class, "false", Map.of(), Map.of(), null, MADE)).isFalse();
        assertThat(AheadOfTime.decide(true, PipelinesApplication.class, "FALSE", Map.of(), Map.of(), null, MADE)).isFalse();
        assertThat(AheadOfTime.decide(true, PipelinesApplication.class, null, Map.of("LOGGING_CONFIG", "/etc/l.xml"),
                Map.of(), null, MADE)).isFalse();
        assertThat(AheadOfTime.decide(true, PipelinesApplication.class, null, Map.of(), Map.of("logging.config", "l.xml"),
                null, MADE)).isFalse();
        assertThat(AheadOfTime.decide(true, PipelinesApplication.class, null, Map.of(), Map.of(), "l.xml", MADE)).isFalse();
    }
}
