package io.mixpanelpipelines.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The figures the benchmark reports are computed as its report says. */
class BenchmarkTableTests {

    @Test
    void theCentreIsTheRatioOfTheMeansAndTheMedianRatioOverTheRoundsWhereBothRan() {
        // rounds: 12/8 = 1.5, 10/8 = 1.25, a failed daily run, 13/10 = 1.3
        List<Double> alone = List.of(8.0, 8.0, 9.0, 10.0);
        List<Double> daily = List.of(12.0, 10.0, Double.NaN, 13.0);

        assertThat(BenchmarkTable.centre(alone, daily)).isEqualTo("1.35x the means, 1.30x the median of 3 rounds");
        assertThat(BenchmarkTable.ratio(alone, daily)).isEqualTo("1.25-1.50x");
    }

    @Test
    void anEvenNumberOfRoundsHasTheMiddleTwosMeanAsItsMedian() {
        assertThat(BenchmarkTable.centre(List.of(10.0, 10.0), List.of(12.0, 13.0)))
                .isEqualTo("1.25x the means, 1.25x the median of 2 rounds");
        assertThat(BenchmarkTable.centre(List.of(10.0), List.of(Double.NaN))).isEqualTo("n/a");
    }

    @Test
    void theMeanLeavesFailedRoundsOut() {
        assertThat(BenchmarkTable.mean(List.of(1.0, Double.NaN, 2.0))).isEqualTo("1.5");
    }
}
