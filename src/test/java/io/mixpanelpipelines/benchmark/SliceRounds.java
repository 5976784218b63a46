package io.mixpanelpipelines.benchmark;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Issue 14's figure: one day exported as ONE request against the same day in {@code export.sliceHours: 6}
 * (4 slices, 4 requests, fetched up to {@code maxConcurrentRequests} at once, then converted
 * {@code export.parallelism} at a time, one step each, and assembled into one day; {@code benchmark.sliceKeys}
 * adds export keys to both runs, separated by {@code ;}), each a real CLI process at {@code -Xmx512m} with a fresh state, alternately round by
 * round, against the stand-in serving the day's body and its 4 slices cut ahead from it (so serving costs
 * next to nothing in either run). Wall time and CPU (user+sys) of the whole process; every run's row count
 * and request count is checked.
 */
final class SliceRounds {

    static final int SLICE_HOURS = 6;

    private final BenchmarkTable table;
    private final StandInServer server;
    private final BenchmarkBodies bodies;
    private final Path work;

    SliceRounds(BenchmarkTable table, StandInServer server, BenchmarkBodies bodies, Path work) {
        this.table = table;
        this.server = server;
        this.bodies = bodies;
        this.work = work;
    }

    void run(String shape, long events, LocalDate day, int repeat, CliProcess.Jvm jvm) throws Exception {
        server.serving(shape, events).prepare(day, day);
        long start = day.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
        for (int h = 0; h < 24; h += SLICE_HOURS) {
            bodies.slice(shape, events, day, start + h * 3600L, start + (h + SLICE_HOURS) * 3600L);
        }
        String label = shape + "/" + events;
        List<Double> wholeWall = new ArrayList<>();
        List<Double> wholeCpu = new ArrayList<>();
        List<Double> slicedWall = new ArrayList<>();
        List<Double> slicedCpu = new ArrayList<>();
        List<String> wholeMemory = new ArrayList<>();
        List<String> slicedMemory = new ArrayList<>();
        // export keys of both runs, e.g. "parallelism: 1". The slices convert export.parallelism at a time, each
        // step holding its own read-ahead, writer and mappings (about 300 MB on this day): two do not fit in
        // -Xmx512m, so compare them with -Dbenchmark.jvmArgs=-Xmx1g
        String keys = System.getProperty("benchmark.sliceKeys", "").replace(";", "\n");
        String both = keys.isEmpty() ? "" : keys + "\n";
        for (int r = 0; r < repeat; r++) {
            round(label, "1 request", both, events, day, jvm, 1, wholeWall, wholeCpu, wholeMemory);
            round(label, "4 slices", both + "sliceHours: " + SLICE_HOURS + "\n", events, day, jvm, 24 / SLICE_HOURS,
                    slicedWall, slicedCpu, slicedMemory);
        }
        table.row(label, "day as 1 request, " + jvm.label(), wholeWall, events, String.join(" | ", wholeMemory));
        table.row(label, "day as 4 slices (6 h), " + jvm.label(), slicedWall, events, String.join(" | ", slicedMemory));
        table.summary(String.format(Locale.ROOT, "%-8s %9d events, one day: 1 request wall %s s CPU %s s; 4 slices wall %s s "
                + "CPU %s s (%s%s)", shape, events, BenchmarkTable.seconds(wholeWall), BenchmarkTable.seconds(wholeCpu),
                BenchmarkTable.seconds(slicedWall), BenchmarkTable.seconds(slicedCpu), jvm.label(),
                keys.isEmpty() ? "" : ", " + keys.replace("\n", ", ")));
    }

    private void round(String label, String what, String keys, long events, LocalDate day, CliProcess.Jvm jvm,
            int expectedRequests, List<Double> wall, List<Double> cpu, List<String> memory) throws Exception {
        Path dir = work.resolve("slices");
        CliProcess.prepare(dir, server.uri(), day, keys);
        int late = server.lateBodies();
        server.takeRequests();
        try {
            CliProcess.Result run = CliProcess.run(dir, jvm, "--from", day.toString(), "--to", day.toString());
            wall.add(run.seconds());
            cpu.add(run.cpuSeconds());
            memory.add(run.memory());
        } catch (CliProcess.Failed e) {
            table.problem(label + " " + what + ": " + e.brief());
            wall.add(Double.NaN);
            cpu.add(Double.NaN);
            memory.add("FAILED");
            return;
        }
        long rows = CliProcess.parquetRows(dir.resolve("export"));
        if (rows != events) {
            table.problem(label + " " + what + ": " + rows + " rows exported, expected " + events);
        }
        List<String> requests = server.takeRequests();
        if (requests.size() != expectedRequests) {
            table.problem(label + " " + what + ": " + requests.size() + " requests " + requests + ", expected " + expectedRequests);
        }
        if (server.lateBodies() != late) {
            table.problem(label + " " + what + ": a body was made during the timed run");
        }
    }
}
