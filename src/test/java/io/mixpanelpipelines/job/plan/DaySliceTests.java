package io.mixpanelpipelines.job.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DaySliceTests {

    static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    static final LocalDate SPRING_FORWARD = LocalDate.parse("2026-03-08");
    static final LocalDate FALL_BACK = LocalDate.parse("2026-11-01");

    /** The slice an instant falls in, by the half-open bounds (how the {@code where} selects it). */
    static List<DaySlice> containing(List<DaySlice> slices, Instant t) {
        return slices.stream().filter(s -> !t.isBefore(s.start()) && t.isBefore(s.end())).toList();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 6, 8, 12})
    void slicesCoverEveryDayExactlyIncludingDstDays(int hours) {
        for (LocalDate day : List.of(LocalDate.parse("2026-06-15"), SPRING_FORWARD, FALL_BACK)) {
            List<DaySlice> slices = DaySlice.of(day, hours, NEW_YORK);
            assertThat(slices.get(0).start()).isEqualTo(day.atStartOfDay(NEW_YORK).toInstant());
            assertThat(slices.get(slices.size() - 1).end()).isEqualTo(day.plusDays(1).atStartOfDay(NEW_YORK).toInstant());
            for (int i = 1; i < slices.size(); i++) {
                assertThat(slices.get(i).start()).isEqualTo(slices.get(i - 1).end());
            }
            Duration total = slices.stream().map(DaySlice::length).reduce(Duration.ZERO, Duration::plus);
            assertThat(total).isEqualTo(Duration.ofHours(day.equals(SPRING_FORWARD) ? 23 : day.equals(FALL_BACK) ? 25 : 24));
            assertThat(slices).allMatch(s -> !s.length().isNegative() && !s.length().isZero());
        }
    }

    @Test
    void threeHourSlicesOfTheDstDaysFollowTheWallClock() {
        List<DaySlice> spring = DaySlice.of(SPRING_FORWARD, 3, NEW_YORK);
        assertThat(spring).hasSize(8).extracting(DaySlice::label).startsWith("2026-03-08T00-03", "2026-03-08T03-06")
                .endsWith("2026-03-08T21-24");
        assertThat(spring.get(0).length()).isEqualTo(Duration.ofHours(2)); // 02:00-03:00 does not exist
        assertThat(spring.get(1).start()).isEqualTo(Instant.parse("2026-03-08T07:00:00Z")); // 03:00 EDT

        List<DaySlice> fall = DaySlice.of(FALL_BACK, 3, NEW_YORK);
        assertThat(fall).hasSize(8);
        assertThat(fall.get(0).length()).isEqualTo(Duration.ofHours(4)); // 01:00-02:00 happens twice
        assertThat(fall.get(1).start()).isEqualTo(Instant.parse("2026-11-01T08:00:00Z")); // 03:00 EST
    }

    @Test
    void oneHourSlicesDropTheMissingHourAndHoldTheRepeatedOneInOneSlice() {
        List<DaySlice> spring = DaySlice.of(SPRING_FORWARD, 1, NEW_YORK);
        assertThat(spring).hasSize(23).extracting(DaySlice::label).doesNotContain("2026-03-08T02-03");
        List<DaySlice> fall = DaySlice.of(FALL_BACK, 1, NEW_YORK);
        assertThat(fall).hasSize(24);
        DaySlice repeated = fall.stream().filter(s -> s.fromHour() == 1).findFirst().orElseThrow();
        assertThat(repeated.length()).isEqualTo(Duration.ofHours(2));
        assertThat(repeated.start()).isEqualTo(Instant.parse("2026-11-01T05:00:00Z"));
        assertThat(repeated.end()).isEqualTo(Instant.parse("2026-11-01T07:00:00Z"));
    }

    @Test
    void eventsOnTheBoundariesAtSecondAndMillisecondPrecisionFallInExactlyOneSlice() {
        for (LocalDate day : List.of(SPRING_FORWARD, FALL_BACK)) {
            for (int hours : List.of(1, 3)) {
                List<DaySlice> slices = DaySlice.of(day, hours, NEW_YORK);
                for (DaySlice s : slices) {
                    Instant boundary = s.end();
                    Instant lastMilli = boundary.minusMillis(1);
                    Instant lastSecond = boundary.minusSeconds(1);
                    if (s.end().isBefore(slices.get(slices.size() - 1).end())) {
                        assertThat(containing(slices, boundary)).singleElement().isNotEqualTo(s);
                    }
                    assertThat(containing(slices, lastMilli)).containsExactly(s);
                    assertThat(containing(slices, lastSecond)).containsExactly(s);
                    assertThat(containing(slices, s.start())).containsExactly(s);
                }
            }
        }
        // 12:59:59.999 local belongs to the slice that ends at 13:00
        List<DaySlice> slices = DaySlice.of(FALL_BACK, 1, NEW_YORK);
        Instant t = ZonedDateTime.of(2026, 11, 1, 12, 59, 59, 999_000_000, NEW_YORK).toInstant();
        assertThat(containing(slices, t)).singleElement().extracting(DaySlice::label).isEqualTo("2026-11-01T12-13");
    }

    @Test
    void theWhereComparesTheEventTimeWithEpochSecondsHalfOpen() {
        DaySlice s = DaySlice.of(LocalDate.parse("2026-06-15"), 12, ZoneId.of("UTC")).get(1);
        assertThat(s.where()).isEqualTo("properties[\"$time\"] >= datetime(1781524800) and properties[\"$time\"] < "
                + "datetime(1781568000)");
    }

    @Test
    void aLengthThatDoesNotDivideTheDayIsRefused() {
        assertThatThrownBy(() -> DaySlice.of(SPRING_FORWARD, 5, NEW_YORK)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void slicedWindowsSurviveTheJobParameter() {
        List<RequestWindow> windows = List.of(RequestWindow.sliced(SPRING_FORWARD, RequestWindow.Kind.RANGE, 0, 3),
                new RequestWindow(LocalDate.parse("2026-03-01"), LocalDate.parse("2026-03-07"), RequestWindow.Kind.RANGE, 0));
        String encoded = RequestWindow.encode(windows);
        assertThat(encoded).isEqualTo("2026-03-08/3h,2026-03-01..2026-03-07");
        assertThat(RequestWindow.decode(encoded)).isEqualTo(windows);
        assertThat(windows.get(0).requests(NEW_YORK)).isEqualTo(8);
        assertThat(RequestWindow.sliced(SPRING_FORWARD, RequestWindow.Kind.RANGE, 0, 1).requests(NEW_YORK)).isEqualTo(23);
    }
}
