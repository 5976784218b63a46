package io.mixpanelpipelines.job.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class DayRangesTests {

    private static LocalDate d(String s) {
        return LocalDate.parse(s);
    }

    @Test
    void emptyListFormatsToEmptyTextAndBack() {
        assertThat(DayRanges.format(List.of())).isEmpty();
        assertThat(DayRanges.parse("")).isEmpty();
        assertThat(DayRanges.parse(null)).isEmpty();
        assertThat(DayRanges.parse("   ")).isEmpty();
    }

    @Test
    void singleDayIsWrittenWithoutRange() {
        assertThat(DayRanges.format(List.of(d("2026-01-05")))).isEqualTo("2026-01-05");
        assertThat(DayRanges.parse("2026-01-05")).containsExactly(d("2026-01-05"));
    }

    @Test
    void consecutiveDaysBecomeOneRangeAcrossMonthAndYearEnds() {
        List<LocalDate> days = List.of(d("2025-12-30"), d("2025-12-31"), d("2026-01-01"), d("2026-01-02"));

        assertThat(DayRanges.format(days)).isEqualTo("2025-12-30..2026-01-02");
        assertThat(DayRanges.parse("2025-12-30..2026-01-02")).containsExactlyElementsOf(days);
    }

    @Test
    void gapsSplitRangesAndSingleDaysStaySingle() {
        List<LocalDate> days = List.of(d("2026-01-01"), d("2026-01-02"), d("2026-01-03"), d("2026-01-05"),
                d("2026-01-07"), d("2026-01-08"), d("2024-02-28"), d("2024-02-29"), d("2024-03-01"));

        String text = DayRanges.format(days);

        assertThat(text).isEqualTo("2024-02-28..2024-03-01,2026-01-01..2026-01-03,2026-01-05,2026-01-07..2026-01-08");
        assertThat(DayRanges.parse(text)).containsExactlyElementsOf(new TreeSet<>(days));
    }

    @Test
    void unorderedAndDuplicateInputIsSortedAndDeduplicated() {
        List<LocalDate> days = List.of(d("2026-01-03"), d("2026-01-01"), d("2026-01-02"), d("2026-01-01"),
                d("2026-01-10"));

        assertThat(DayRanges.format(days)).isEqualTo("2026-01-01..2026-01-03,2026-01-10");
    }

    @Test
    void randomSetsRoundTrip() {
        Random random = new Random(7);
        for (int round = 0; round < 300; round++) {
            List<LocalDate> days = new ArrayList<>();
            int n = random.nextInt(40);
            for (int i = 0; i < n; i++) {
                days.add(LocalDate.of(2025, 12, 1).plusDays(random.nextInt(90)));
            }
            TreeSet<LocalDate> expected = new TreeSet<>(days);

            String text = DayRanges.format(days);

            assertThat(DayRanges.parse(text)).as(text).containsExactlyElementsOf(expected);
            assertThat(DayRanges.format(DayRanges.parse(text))).isEqualTo(text);
            assertThat(text.split(",")).hasSizeLessThanOrEqualTo(Math.max(1, expected.size()));
        }
    }

    @Test
    void runsAreTheConsecutiveDaysOneWindowEach() {
        List<LocalDate> days = DayRanges.parse("2026-01-02..2026-01-03,2026-01-05,2026-01-31..2026-02-01");
        assertThat(DayRanges.runs(days)).extracting(RequestWindow::label)
                .containsExactly("2026-01-02..2026-01-03", "2026-01-05", "2026-01-31..2026-02-01");
        assertThat(DayRanges.runs(List.of())).isEmpty();
    }
}
