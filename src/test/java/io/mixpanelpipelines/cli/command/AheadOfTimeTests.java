package io.mixpanelpipelines.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** When a command starts from the build's processed Spring context, and when it must not. */
class AheadOfTimeTests {

    private static final Predicate<String> MADE = name -> name.equals(AheadOfTime.INITIALIZER);
    private static final Predicate<String> NOT_MADE = name -> false;

    @Test
    void theCommandLinesOwnProcessUsesWhatTheBuildMadeForPipelinesApplication() {
        assertThat(AheadOfTime.INITIALIZER).isEqualTo(
                "io.mixpanelpipelines.cli.command.PipelinesApplication__ApplicationContextInitializer");
        assertThat(AheadOfTime.decide(true, PipelinesApplication.class, null, MADE)).isTrue();
        assertThat(AheadOfTime.decide(true, PipelinesApplication.class, "true", MADE)).isTrue();
    }

    @Test
    void notInAnotherProcessNorForAnotherApplicationNorWhenTheBuildMadeNoneNorWhenTurnedOff() {
        assertThat(AheadOfTime.decide(false, PipelinesApplication.class, null, MADE))
                .as("tests and tools running commands in their own JVM").isFalse();
        assertThat(AheadOfTime.decide(true, CheckApplication.class, null, MADE)).isFalse();
        assertThat(AheadOfTime.decide(true, WorkerApplication.class, null, MADE)).isFalse();
        assertThat(AheadOfTime.decide(true, PipelinesApplication.class, null, NOT_MADE)).isFalse();
        assertThat(AheadOfTime.decide(true, PipelinesApplication.class, "false", MADE)).isFalse();
        assertThat(AheadOfTime.decide(true, PipelinesApplication.class, "FALSE", MADE)).isFalse();
    }

    @Test
    void aPreparedEnvironmentThatSetsWhatTheBuildDecidedStartsFromTheClasses() {
        assertThat(AheadOfTime.needsStartFromClasses(environment(Map.of("logging.level.root", "INFO")))).isFalse();
        for (String property : AheadOfTime.DECIDED_AT_BUILD) {
            assertThat(AheadOfTime.needsStartFromClasses(environment(Map.of(property, "x")))).as(property).isTrue();
        }
        // as a variable (LOGGING_CONFIG) or in SPRING_APPLICATION_JSON, Spring's environment names it the same
        StandardEnvironment variables = new StandardEnvironment();
        variables.getPropertySources().addFirst(new SystemEnvironmentPropertySource(
                "env", Map.of("SPRING_FLYWAY_ENABLED", "false")));
        assertThat(AheadOfTime.needsStartFromClasses(variables)).isTrue();
    }

    @Test
    void aContextMadeFromItsClassesIsToldApartFromAProcessedOne() {
        try (AnnotationConfigApplicationContext classes = new AnnotationConfigApplicationContext();
                GenericApplicationContext processed = new GenericApplicationContext()) {
            assertThat(AheadOfTime.processed(classes)).isFalse();
            assertThat(AheadOfTime.processed(processed)).isTrue();
        }
    }

    private static StandardEnvironment environment(Map<String, Object> properties) {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().addFirst(new MapPropertySource("test", properties));
        return env;
    }
}
