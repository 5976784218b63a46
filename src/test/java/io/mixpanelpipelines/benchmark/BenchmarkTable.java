package io.mixpanelpipelines.benchmark;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark's report: detail rows (one per measurement, printed as they come and again at the end),
 * summary rows (one per day shape and size, and per window), and the problems found on the way (a wrong row
 * count, a body made during a timed run), which fail the benchmark after the report is printed.
 */
final class BenchmarkTable {

    private final List<String> details = new ArrayList<>();
    private final List<String> summary = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();

    BenchmarkTable() {
        details.add(String.format(Locale.ROOT, "%-16s %-38s %9s %10s %s", "shape/events", "what", "seconds",
                "events/s", "notes"));
    }

    /** A detail row: {@code seconds} of the rounds (min-max), the rate for {@code events}. */
    void row(String label, String what, List<Double> all, long events, String notes) {
        List<Double> seconds = all.stream().filter(d -> !d.isNaN()).toList();
        if (seconds.isEmpty()) {
            note(label, what, "FAILED " + notes);
            return;
        }
        double min = seconds.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double max = seconds.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        String s = seconds.size() == 1 ? String.format(Locale.ROOT, "%.1f", min)
                : String.format(Locale.ROOT, "%.1f-%.1f", min, max);
        String rate = seconds.size() == 1 ? String.format(Locale.ROOT, "%.0fk", events / min / 1000)
                : String.format(Locale.ROOT, "%.0f-%.0fk", events / max / 1000, events / min / 1000);
        line(String.format(Locale.ROOT, "%-16s %-38s %9s %10s %s", label, what, s, rate, notes));
    }

    /** A detail row of free text after the label and {@code what}. */
    void note(String label, String what, String text) {
        line(String.format(Locale.ROOT, "%-16s %-38s %s", label, what, text));
    }

    private void line(String line) {
        details.add(line);
        System.out.println(line);
    }

    void summary(String line) {
        summary.add(line);
        System.out.println(line);
    }

    void problem(String problem) {
        problems.add(problem);
        System.out.println("PROBLEM: " + problem);
    }

    void print(int cores) {
        System.out.println();
        System.out.println("== mixpanel-pipelines benchmark (" + cores + " cores) ==");
        details.forEach(System.out::println);
        System.out.println();
        System.out.println("== summary: one row per shape and size; ratios are other time / project time per round"
                + " (the daily run's also as the ratio of the means and the median) ==");
        summary.forEach(System.out::println);
        System.out.println();
        problems.forEach(p -> System.out.println("PROBLEM: " + p));
    }

    List<String> problems() {
        return problems;
    }

    /** Per-round ratio of speeds ({@code other} time / {@code project} time), as a range. */
    static String ratio(List<Double> project, List<Double> other) {
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (int i = 0; i < project.size(); i++) {
            double r = other.get(i) / project.get(i);
            if (Double.isNaN(r)) {
                continue; // a failed run (its problem is listed)
            }
            lo = Math.min(lo, r);
            hi = Math.max(hi, r);
        }
        if (hi == 0) {
            return "n/a";
        }
        return lo == hi ? String.format(Locale.ROOT, "%.2fx", lo) : String.format(Locale.ROOT, "%.2f-%.2fx", lo, hi);
    }

    /**
     * The ratio of the means ({@code other}'s mean over {@code project}'s) and the median of the per-round
     * ratios, over the rounds where both ran: on a machine whose speed drifts between runs a range says little,
     * and one slow round moves the means more than the median.
     */
    static String centre(List<Double> project, List<Double> other) {
        List<Double> ratios = new ArrayList<>();
        double sumProject = 0;
        double sumOther = 0;
        for (int i = 0; i < project.size(); i++) {
            double r = other.get(i) / project.get(i);
            if (!Double.isNaN(r)) {
                ratios.add(r);
                sumProject += project.get(i);
                sumOther += other.get(i);
            }
        }
        if (ratios.isEmpty()) {
            return "n/a";
        }
        ratios.sort(null);
        int n = ratios.size();
        double median = n % 2 == 1 ? ratios.get(n / 2) : (ratios.get(n / 2 - 1) + ratios.get(n / 2)) / 2;
        return String.format(Locale.ROOT, "%.2fx the means, %.2fx the median of %d round%s", sumOther / sumProject, median,
                n, n == 1 ? "" : "s");
    }

    /** The mean of the values that are not NaN, to one decimal; "n/a" when every round failed. */
    static String mean(List<Double> values) {
        var mean = values.stream().filter(d -> !d.isNaN()).mapToDouble(Double::doubleValue).average();
        return mean.isPresent() ? String.format(Locale.ROOT, "%.1f", mean.getAsDouble()) : "n/a";
    }

    /** Per-round ratio as a percentage range. */
    static String percent(List<Double> project, List<Double> other) {
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (int i = 0; i < project.size(); i++) {
            double r = other.get(i) / project.get(i) * 100;
            if (Double.isNaN(r)) {
                continue;
            }
            lo = Math.min(lo, r);
            hi = Math.max(hi, r);
        }
        return hi == 0 ? "n/a" : String.format(Locale.ROOT, "%.0f%%-%.0f%%", lo, hi);
    }

    static String seconds(List<Double> all) {
        List<Double> values = all.stream().filter(d -> !d.isNaN()).toList();
        if (values.isEmpty()) {
            return "FAILED";
        }
        double min = values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        return min == max ? String.format(Locale.ROOT, "%.1f", min) : String.format(Locale.ROOT, "%.1f-%.1f", min, max);
    }
}
