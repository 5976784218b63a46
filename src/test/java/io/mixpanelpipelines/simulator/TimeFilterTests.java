package io.mixpanelpipelines.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mixpanelpipelines.job.plan.DaySlice;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The simulator's {@code where} on {@code $time}: the expression the slices send, at their boundaries, at
 * millisecond and second precision; anything else refused with 400 as Mixpanel refuses what it cannot parse.
 */
class TimeFilterTests {

    static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    @Test
    void everyInstantAroundEverySliceBoundaryOfBothDstDaysIsAcceptedByExactlyOneSlice() throws Exception {
        for (String day : List.of("2026-03-08", "2026-11-01")) {
            for (int hours : List.of(1, 3)) {
                List<DaySlice> slices = DaySlice.of(LocalDate.parse(day), hours, NEW_YORK);
                List<TimeFilter> filters = new java.util.ArrayList<>();
                for (DaySlice s : slices) {
                    filters.add(TimeFilter.parse(s.where()));
                }
                for (DaySlice s : slices) {
                    long boundary = s.end().toEpochMilli();
                    for (long t : new long[] {boundary - 1000, boundary - 1, boundary, boundary + 1, s.start().toEpochMilli()}) {
                        if (t >= slices.get(slices.size() - 1).end().toEpochMilli()) {
                            continue; // the next day's
                        }
                        long at = t;
                        assertThat(filters.stream().filter(f -> f.accepts(at)).count()).as("%s %dh at %d", day, hours, t)
                                .isEqualTo(1);
                    }
                    // the last millisecond and the last second before the end are the slice's own
                    TimeFilter own = filters.get(slices.indexOf(s));
                    assertThat(own.accepts(boundary - 1)).isTrue();
                    assertThat(own.accepts(boundary - 1000)).isTrue();
                    assertThat(own.accepts(boundary)).isFalse();
                }
            }
        }
    }

    @Test
    void anExpressionItDoesNotUnderstandIsRefusedWith400() {
        assertThatThrownBy(() -> TimeFilter.parse("properties[\"$time\"] >= datetime(1) or properties[\"x\"] == 1"))
                .isInstanceOf(ExportRejection.class).hasMessageContaining("unsupported where expression");
        assertThatThrownBy(() -> TimeFilter.parse("properties[\"$time\"] >= \"2026-01-01T00:00:00\""))
                .isInstanceOf(ExportRejection.class);
    }
}
