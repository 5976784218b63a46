package io.mixpanelpipelines.cli;

import io.mixpanelpipelines.dataset.DatasetLayout;
import io.mixpanelpipelines.job.RunSummary;
import io.mixpanelpipelines.state.PartitionRecord;
import io.mixpanelpipelines.storage.Location;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/** Prints run summaries and partition tables for people, and the summary JSON for machines. */
final class SummaryPrinter {

    private static final JsonMapper JSON = JsonMapper.builder().findAndAddModules().build();

    private final PrintStream out;

    SummaryPrinter(PrintStream out) {
        this.out = out;
    }

    void print(RunSummary s, DatasetLayout layout) {
        long published = s.days().stream().filter(d -> d.state().equals("PUBLISHED")).count();
        out.printf("%s: %d of %d day(s) published; %d request(s) sent to Mixpanel (run %s)%n", s.job(), published,
                s.days().size(), s.requests(), s.runId());
        if (s.message() != null) {
            out.println(s.message());
        }
        for (RunSummary.Day d : s.days()) {
            out.printf("  %s  %-15s %,12d rows %4d files %,14d bytes%s%s%n", d.day(), d.state(), d.rows(), d.files(),
                    d.bytes(), d.rejectedLines() > 0 ? "  " + d.rejectedLines() + " rejected lines" : "",
                    d.error() == null ? "" : "  " + d.error());
        }
        Location events = layout.events();
        out.println("Data: " + events);
        if (events.scheme() == Location.Scheme.FILE) {
            out.println("Query it with DuckDB: duckdb -c \"SELECT event_date, event_name, count(*) AS events FROM read_parquet('"
                    + events.toPath() + "/*/*.parquet', hive_partitioning = true) GROUP BY ALL ORDER BY ALL\"");
        }
        out.println(budgetLine(s.budget()));
        if (s.exitCode() == RunSummary.DEFERRED) {
            out.println("Some days were deferred (Mixpanel's export limit): run the same command again later.");
        } else if (s.exitCode() == RunSummary.FAILED) {
            out.println("Some days failed: run the same command again, or `rerun --failed`.");
        }
    }

    static String budgetLine(io.mixpanelpipelines.source.RequestBudget.Status b) {
        return "Budget: " + b.remaining() + " of " + b.perHour() + " export requests left this hour"
                + (b.remaining() > 0 ? "" : "; the next request fits at " + b.nextSlotAt());
    }

    void plan(List<io.mixpanelpipelines.job.plan.RequestWindow> windows, io.mixpanelpipelines.source.RequestBudget.Status budget,
            java.util.function.Predicate<io.mixpanelpipelines.job.plan.RequestWindow> alreadyFetched) {
        int remaining = budget.remaining();
        int cost = 0;
        out.printf("%-3s  %-23s %5s  %-9s %12s  %s%n", "#", "DAYS", "COUNT", "KIND", "EST. BYTES", "COST");
        int i = 0;
        for (io.mixpanelpipelines.job.plan.RequestWindow w : windows) {
            boolean free = alreadyFetched.test(w);
            String note;
            if (free) {
                note = "0 (spooled)";
            } else if (remaining > 0) {
                note = "1 request";
                remaining--;
                cost++;
            } else {
                note = "1 request: DEFERRED (budget)";
            }
            out.printf("%-3d  %-23s %5d  %-9s %12s  %s%n", ++i, w.label(), w.size(), w.kind(),
                    w.estimatedBytes() > 0 ? String.format("%,d", w.estimatedBytes()) : "unknown", note);
        }
        out.printf("%d request window(s); this run would send %d request(s) (retries aside)%n", windows.size(), cost);
        out.println(budgetLine(budget));
    }

    void status(String job, List<PartitionRecord> records, io.mixpanelpipelines.source.RequestBudget.Status budget) {
        out.printf("%-10s  %-15s %12s %6s %14s %8s  %s%n", "DAY", "STATE", "ROWS", "FILES", "BYTES", "ATTEMPTS", "LAST ERROR");
        for (PartitionRecord r : records) {
            out.printf("%-10s  %-15s %,12d %6d %,14d %8d  %s%n", r.day(), r.state(), r.rows(), r.files(), r.bytes(),
                    r.attempts(), r.lastError() == null ? "" : r.lastError());
        }
        out.printf("%s: %d partition(s); %d export request(s) sent for this project in the last hour%n", job,
                records.size(), budget.usedLastHour());
        out.println(budgetLine(budget));
    }

    static void printJson(Object value, java.io.PrintStream out) {
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value));
    }

    static void writeJson(RunSummary s, Path file) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("job", s.job());
        root.put("runId", s.runId());
        root.put("exitCode", s.exitCode());
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
