package io.mixpanelpipelines.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The figures the benchmark reports are computed as its report says. */
class BenchmarkTableTests {

    @Test
    void theCentreIsTheRatioOfTheMeansAndTheMedianRatioOverTheRoundsWhereBothRan() {
        // rounds: 12/8 = 1.5, 10/10 = 1.0, a failed daily run, 13/10 = 1.3; the ratio of the means, 35/28 = 1.25,
        // is neither the mean of the ratios (1.27) nor their median (1.30)
        List<Double> alone = List.of(8.0, 10.0, 9.0, 10.0);
        List<Double> daily = List.of(12.0, 10.0, Double.NaN, 13.0);

        assertThat(BenchmarkTable.centre(alone, daily)).isEqualTo("1.25x the means, 1.30x the median of 3 rounds");
        assertThat(BenchmarkTable.ratio(alone, daily)).isEqualTo("1.00-1.50x");
    }

    @Test
    void anEvenNumberOfRoundsHasTheMiddleTwosMeanAsItsMedian() {
        // ratios 1.4, 1.9, 1.1, 1.5: the median 1.45 (unsorted, the middle two give 1.5); the means 56/38 = 1.474
        // (the mean of the ratios: 1.475)
        assertThat(BenchmarkTable.centre(List.of(10.0, 10.0, 10.0, 8.0), List.of(14.0, 19.0, 11.0, 12.0)))
                .isEqualTo("1.47x the means, 1.45x the median of 4 rounds");
        assertThat(BenchmarkTable.centre(List.of(10.0), List.of(Double.NaN))).isEqualTo("n/a");
    }

    @Test
    void theMeanLeavesFailedRoundsOut() {
        assertThat(BenchmarkTable.mean(List.of(1.0, Double.NaN, 2.0))).isEqualTo("1.5");
        assertThat(BenchmarkTable.mean(List.of(Double.NaN))).isEqualTo("n/a");
    }

    @Test
    void cpuIsUserPlusSystemOfWhatTimeVerbosePrinted() {
        String tail = """
                \tCommand being timed: "java -jar mixpanel-pipelines.jar"
                \tUser time (seconds): 9.36
                \tSystem time (seconds): 1.52
                \tPercent of CPU this job got: 160%
                \tMaximum resident set size (kbytes): 461000
                """;

        double[] cpu = CliProcess.cpuSeconds(tail);

        assertThat(cpu[0]).isCloseTo(10.88, offset(1e-9));
        assertThat(cpu[1]).isCloseTo(1.52, offset(1e-9));
    }
}
