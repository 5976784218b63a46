package io.mixpanelpipelines.benchmark;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The multi-day measurements, each a real CLI process at {@code -Xmx512m} against the stand-in serving a
 * real multi-day body ({@code daysPerRequest: 31}, so a window is ONE request):
 * <ul>
 * <li>issue 18: a 1-day, a 6-day and a 31-day (backfill) window ending on the benchmark's day, fresh state
 * each: wall, CPU, peak heap, peak RSS, side by side;</li>
 * <li>issue 15, the daily run: a 6-day window {@code Y-6..Y-1} (Y = yesterday in UTC: the child process's
 * clock cannot be set, so the days follow the real today), then the run without a range, which fetches the
 * new day Y and the 5 lookback days {@code Y-5..Y-1} in one request (served byte for byte as before:
 * {@code lookbackDays: 5}, {@code lookbackInterval: 1s}); against exporting Y alone with a fresh state.
 * The figure is the CPU (user+sys) of the daily run over that of the day alone; the goal is at most 1.3.</li>
 * </ul>
 * Every run's exported row count is checked against the days it covers.
 */
final class WindowRounds {

    static final String WINDOW_KEYS = "daysPerRequest: 31\n";
    static final String DAILY_KEYS = "daysPerRequest: 31\nlookbackDays: 5\nlookbackInterval: 1s\n";

    private final BenchmarkTable table;
    private final StandInServer server;
    private final Path work;

    WindowRounds(BenchmarkTable table, StandInServer server, Path work) {
        this.table = table;
        this.server = server;
        this.work = work;
    }

    void windows(String shape, long perDay, LocalDate last, int repeat, CliProcess.Jvm jvm) throws Exception {
        server.serving(shape, perDay);
        String label = shape + "/" + perDay + "/d";
        for (int days : new int[] {1, 6, 31}) {
            LocalDate first = last.minusDays(days - 1);
            server.prepare(first, last);
            List<Double> seconds = new ArrayList<>();
            List<String> memory = new ArrayList<>();
            for (int r = 0; r < repeat; r++) {
                Path dir = work.resolve("window");
                CliProcess.prepare(dir, server.uri(), first, WINDOW_KEYS);
                int late = server.lateBodies();
                server.takeRequests();
                try {
                    CliProcess.Result run = CliProcess.run(dir, jvm, "--from", first.toString(), "--to", last.toString());
                    seconds.add(run.seconds());
                    memory.add(run.memory());
                    check(label, days + "-day window", dir, days * perDay, late, server.takeRequests(), 1);
                } catch (CliProcess.Failed e) {
                    // issue 18: a window that runs out of heap is a finding, not the end of the benchmark
                    table.problem(label + " " + days + "-day window: " + e.brief());
                    seconds.add(Double.NaN);
                    memory.add("FAILED");
                }
            }
            table.row(label, days + "-day window, " + jvm.label(), seconds, days * perDay, String.join(" | ", memory));
            table.summary(String.format(Locale.ROOT, "%-8s %9d/day %2d-day window (1 request), %s: %s s, %s", shape,
                    perDay, days, jvm.label(), BenchmarkTable.seconds(seconds), String.join(" | ", memory)));
        }
    }

    void daily(String shape, long perDay, int repeat, CliProcess.Jvm jvm) throws Exception {
        server.serving(shape, perDay);
        String label = shape + "/" + perDay + "/d";
        LocalDate y = LocalDate.now(ZoneOffset.UTC).minusDays(1);
        server.prepare(y.minusDays(6), y.minusDays(1));
        server.prepare(y.minusDays(5), y);
        server.prepare(y, y);
        List<Double> daily = new ArrayList<>();
        List<Double> alone = new ArrayList<>();
        List<Double> dailyCpu = new ArrayList<>();
        List<Double> aloneCpu = new ArrayList<>();
        List<Double> dailySystem = new ArrayList<>();
        List<Double> aloneSystem = new ArrayList<>();
        List<String> dailyMemory = new ArrayList<>();
        List<String> aloneMemory = new ArrayList<>();
        for (int r = 0; r < repeat; r++) {
            try {
                dailyRound(label, perDay, y, jvm, daily, dailyCpu, dailySystem, dailyMemory);
            } catch (CliProcess.Failed e) {
                table.problem(label + " daily run: " + e.brief());
                daily.add(Double.NaN);
                dailyCpu.add(Double.NaN);
                dailySystem.add(Double.NaN);
                dailyMemory.add("FAILED");
            }
            Path fresh = work.resolve("daily-alone");
            CliProcess.prepare(fresh, server.uri(), y, DAILY_KEYS);
            int late = server.lateBodies();
            server.takeRequests();
            try {
                CliProcess.Result one = CliProcess.run(fresh, jvm, "--from", y.toString(), "--to", y.toString());
                check(label, "daily: the new day alone", fresh, perDay, late, server.takeRequests(), 1);
                alone.add(one.seconds());
                aloneCpu.add(one.cpuSeconds());
                aloneSystem.add(one.systemSeconds());
                aloneMemory.add(one.memory());
            } catch (CliProcess.Failed e) {
                table.problem(label + " the new day alone: " + e.brief());
                alone.add(Double.NaN);
                aloneCpu.add(Double.NaN);
                aloneSystem.add(Double.NaN);
                aloneMemory.add("FAILED");
            }
        }
        table.row(label, "daily: no-range run (5 lookback + " + y + ")", daily, 6 * perDay, String.join(" | ", dailyMemory));
        table.row(label, "daily: " + y + " alone, fresh state", alone, perDay, String.join(" | ", aloneMemory));
        String ratios = BenchmarkTable.ratio(aloneCpu, dailyCpu) + " per round, "
                + BenchmarkTable.centre(aloneCpu, dailyCpu);
        table.note(label, "  -> daily run CPU / day alone CPU", ratios + " (goal <= 1.3)");
        table.summary(String.format(Locale.ROOT, "%-8s %9d/day daily run (6 days, 5 unchanged), %s: CPU %s s vs "
                + "the new day alone %s s: %s (goal <= 1.3); sys %s vs %s s (means); wall %s s "
                + "vs %s s", shape, perDay, jvm.label(), BenchmarkTable.seconds(dailyCpu), BenchmarkTable.seconds(aloneCpu),
                ratios, BenchmarkTable.mean(dailySystem), BenchmarkTable.mean(aloneSystem), BenchmarkTable.seconds(daily),
                BenchmarkTable.seconds(alone)));
    }

    /** The first 6 days, then the timed run without a range: the new day and its 5 unchanged lookback days. */
    private void dailyRound(String label, long perDay, LocalDate y, CliProcess.Jvm jvm, List<Double> daily,
            List<Double> dailyCpu, List<Double> dailySystem, List<String> dailyMemory) throws Exception {
        Path dir = work.resolve("daily");
        CliProcess.prepare(dir, server.uri(), y.minusDays(6), DAILY_KEYS);
        int late = server.lateBodies();
        server.takeRequests();
        CliProcess.Result first = CliProcess.run(dir, jvm, "--from", y.minusDays(6).toString(), "--to",
                y.minusDays(1).toString());
        check(label, "daily: first 6 days", dir, 6 * perDay, late, server.takeRequests(), 1);
        table.row(label, "daily: 6 days " + y.minusDays(6) + ".." + y.minusDays(1), List.of(first.seconds()),
                6 * perDay, first.memory());
        // the lookback days are due once lookbackInterval (1 s) has passed since they were published
        Thread.sleep(1_100);
        late = server.lateBodies();
        CliProcess.Result run = CliProcess.run(dir, jvm);
        List<String> requests = server.takeRequests();
        check(label, "daily: no-range run", dir, 7 * perDay, late, requests, 1);
        if (!requests.equals(List.of(y.minusDays(5) + ".." + y))) {
            table.problem(label + ": the daily run asked for " + requests + ", expected " + y.minusDays(5) + ".." + y);
        }
        daily.add(run.seconds());
        dailyCpu.add(run.cpuSeconds());
        dailySystem.add(run.systemSeconds());
        dailyMemory.add(run.memory());
    }

    private void check(String label, String what, Path dir, long rows, int lateBefore, List<String> requests,
            int expectedRequests) throws Exception {
        long found = CliProcess.parquetRows(dir.resolve("export"));
        if (found != rows) {
            table.problem(label + " " + what + ": " + found + " rows exported, expected " + rows);
        }
        if (requests.size() != expectedRequests) {
            table.problem(label + " " + what + ": " + requests.size() + " requests " + requests + ", expected "
                    + expectedRequests);
        }
        if (server.lateBodies() != lateBefore) {
            table.problem(label + " " + what + ": a body was made during the timed run " + requests);
        }
    }
}
