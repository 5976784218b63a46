package io.mixpanelpipelines.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.state.PartitionRecord;
import io.mixpanelpipelines.state.PartitionState;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusCalendarTests {

    private static PartitionRecord day(String day, PartitionState state) {
        return new PartitionRecord("j", LocalDate.parse(day), state, 1, 1, 1, 0, 1, null, "r", null, null, 0, null);
    }

    private final StatusCalendar calendar = new StatusCalendar(List.of(day("2026-02-02", PartitionState.PUBLISHED),
            day("2026-02-03", PartitionState.FAILED), day("2026-02-04", PartitionState.DEFERRED),
            day("2026-02-05", PartitionState.RERUN_REQUESTED)), LocalDate.parse("2026-02-01"), LocalDate.parse("2026-02-10"));

    @Test
    void everyDayHasALetterAndMonthsStartOnMonday() {
        String text = calendar.render(1, false);

        assertThat(text).contains("February 2026").contains(" Mo  Tu  We  Th  Fr  Sa  Su\n")
                // 2026-02-01 is a Sunday: six empty cells, then the 1st, missing
                .contains("                         1.\n 2P  3F  4D  5R  6.  7.  8.\n 9. 10  11  ")
                .contains("28 \n").doesNotContain("\u001b");
    }

    @Test
    void coloursAreAnsiOnATerminal() {
        String text = calendar.render(1, true);

        assertThat(text).contains("\u001b[32m 2P\u001b[0m").contains("\u001b[31m 3F\u001b[0m")
                .contains("\u001b[33m 4D\u001b[0m").contains("\u001b[35;1m 6.\u001b[0m");
    }

    @Test
    void monthsGoBackToTheJobsFirstDayAtMost() {
        assertThat(calendar.render(3, false)).contains("February 2026").doesNotContain("January 2026");
    }
}
