package io.mixpanelpipelines.cli.output;

import io.mixpanelpipelines.job.RunSummary;
import io.mixpanelpipelines.job.plan.DayRanges;
import io.mixpanelpipelines.state.PartitionRecord;
import io.mixpanelpipelines.storage.Location;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.json.JsonMapper;

/** Prints run summaries and partition tables for people, and the summary JSON for machines. */
public final class SummaryPrinter {

    private static final JsonMapper JSON = JsonMapper.builder().findAndAddModules().build();

    private final PrintStream out;

    public SummaryPrinter(PrintStream out) {
        this.out = out;
    }

    /**
     * Prints a run's summary.
     *
     * @param events where the dataset's days are (printed, with a DuckDB query for a local one, only when
     *     the run published a day)
     * @param fileRunIds each published day's run id, the one its file names carry: a day a resumed
     *     execution finished carries the run id of the run that started it
     * @param stoppedBy the signal that stopped the run ({@code SIGTERM}), or null
     */
    public void print(RunSummary s, Location events, Map<LocalDate, String> fileRunIds, String stoppedBy) {
        long published = s.days().stream().filter(d -> d.state().equals("PUBLISHED")).count();
        out.printf("%s: %d of %d day(s) published; %d request(s) sent to Mixpanel (run %s)%n", s.job(), published,
                s.days().size(), s.requests(), s.runId());
        Map<String, List<LocalDate>> resumed = new TreeMap<>();
        fileRunIds.forEach((day, runId) -> {
            if (runId != null && !runId.equals(s.runId())) {
                resumed.computeIfAbsent(runId, k -> new ArrayList<>()).add(day);
            }
        });
        resumed.forEach((runId, days) -> out.printf("Resumed run %s: its files carry that run id (%s)%n", runId,
                DayRanges.format(days.stream().sorted().toList())));
        if (s.message() != null) {
            out.println(s.message());
        }
        for (RunSummary.Day d : s.days()) {
            out.printf("  %s  %-15s %,12d rows %4d files %,14d bytes%s%s%n", d.day(), d.state(), d.rows(), d.files(),
                    d.bytes(), d.rejectedLines() > 0 ? "  " + d.rejectedLines() + " rejected lines" : "",
                    d.error() == null ? "" : "  " + d.error());
        }
        if (published > 0) {
            out.println("Data: " + events);
            if (events.scheme() == Location.Scheme.FILE) {
                out.println("Query it with DuckDB: duckdb -c \"SELECT event_date, event_name, count(*) AS events FROM read_parquet('"
                        + events.toPath() + "/*/*.parquet', hive_partitioning = true) GROUP BY ALL ORDER BY ALL\"");
            }
        }
        out.println(budgetLine(s.budget()));
        if (stoppedBy != null) {
            List<LocalDate> open = s.days().stream().filter(d -> !d.state().equals("PUBLISHED")).map(RunSummary.Day::day).toList();
            out.printf("Stopped by %s at the next checkpoint: %s. Run the same command again to finish; what was "
                    + "downloaded or converted before the stop is not done again.%n", stoppedBy,
                    open.isEmpty() ? "every day was already published" : open.size() + " day(s) not finished ("
                            + DayRanges.format(open) + ")");
        } else if (s.exitCode() == RunSummary.DEFERRED) {
            out.println("Some days were deferred (Mixpanel's export limit): run the same command again later.");
        } else if (s.exitCode() == RunSummary.FAILED) {
            out.println("Some days failed: run the same command again, or `rerun --failed`.");
        }
    }

    public static String budgetLine(io.mixpanelpipelines.source.RequestBudget.Status b) {
        return "Budget: " + b.remaining() + " of " + b.perHour() + " export requests left this hour"
                + (b.remaining() > 0 ? "" : "; the next request fits at " + b.nextSlotAt());
    }

    public void status(String job, List<PartitionRecord> records, io.mixpanelpipelines.source.RequestBudget.Status budget) {
        out.printf("%-10s  %-15s %12s %6s %14s %8s  %s%n", "DAY", "STATE", "ROWS", "FILES", "BYTES", "ATTEMPTS", "LAST ERROR");
        for (PartitionRecord r : records) {
            out.printf("%-10s  %-15s %,12d %6d %,14d %8d  %s%n", r.day(), r.state(), r.rows(), r.files(), r.bytes(),
                    r.attempts(), r.lastError() == null ? "" : r.lastError());
        }
        out.printf("%s: %d partition(s); %d export request(s) sent for this project in the last hour%n", job,
                records.size(), budget.usedLastHour());
        out.println(budgetLine(budget));
    }

    public static void printJson(Object value, java.io.PrintStream out) {
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value));
    }

    /**
     * Writes the summary JSON.
     *
     * @param exitCode the command's exit code (a stopped run's differs from its summary's)
     * @param stoppedBy the signal that stopped the run, or null (then the key is absent)
     */
    public static void writeJson(RunSummary s, Path file, int exitCode, String stoppedBy) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("job", s.job());
        root.put("runId", s.runId());
        root.put("exitCode", exitCode);
        if (stoppedBy != null) {
            root.put("stoppedBy", stoppedBy);
        }
        root.put("requests", s.requests());
        root.put("partitions", s.days().stream().map(d -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("day", d.day().toString());
            m.put("state", d.state());
            m.put("rows", d.rows());
            m.put("files", d.files());
            m.put("bytes", d.bytes());
            m.put("rejectedLines", d.rejectedLines());
            m.put("error", d.error());
            return m;
        }).toList());
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
