package io.mixpanelpipelines.cli.output;

import io.mixpanelpipelines.people.PeopleRunSummary;
import io.mixpanelpipelines.people.PeopleStatus;
import io.mixpanelpipelines.source.RequestBudget;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Prints the people datasets: a run's outcome, and their status for {@code status} and {@code plan}. */
public final class PeoplePrinter {

    private final PrintStream out;

    public PeoplePrinter(PrintStream out) {
        this.out = out;
    }

    public static String budgetLine(RequestBudget.Status b) {
        return "Query budget: " + b.remaining() + " of " + b.perHour() + " Query API requests left this hour"
                + (b.remaining() > 0 ? "" : "; the next request fits at " + b.nextSlotAt());
    }

    public void run(PeopleRunSummary s) {
        out.println("People:");
        for (PeopleRunSummary.Dataset d : s.datasets()) {
            out.printf("  %-24s %-10s %-11s pages %d, profiles %,d%s%s%n", d.dataset(),
                    d.snapshotDate() == null ? "" : d.snapshotDate(), d.state(), d.pages(), d.profiles(),
                    d.state().equals(PeopleRunSummary.PUBLISHED) || d.state().equals(PeopleRunSummary.UP_TO_DATE)
                            ? String.format("; snapshot rows %,d in %d file(s)", d.rows(), d.files()) : "",
                    d.message() == null ? "" : "; " + d.message());
        }
        out.printf("%d Query API request(s) sent by this run%n", s.requests());
        out.println(budgetLine(s.budget()));
        if (s.exitCode() == 75) {
            out.println("The people snapshot continues in the next run (its pages so far are kept): run the same command "
                    + "again after " + s.datasets().stream().map(PeopleRunSummary.Dataset::nextSlotAt)
                    .filter(java.util.Objects::nonNull).findFirst().map(Object::toString).orElse("a while") + ".");
        }
    }

    public void status(PeopleStatus s) {
        out.printf("%-24s  %-34s  %s%n", "PEOPLE DATASET", "IN PROGRESS", "LAST COMPLETE SNAPSHOT");
        for (PeopleStatus.Dataset d : s.datasets()) {
            String running = d.inProgressDate() == null ? "-" : String.format("%s: %d/%d queries, %d pages, %,d profiles",
                    d.inProgressDate(), d.queriesDone(), d.queries(), d.pagesSoFar(), d.profilesSoFar());
            String last = d.lastDate() == null ? "none yet" : String.format("%s: %,d rows, %d file(s)", d.lastDate(),
                    d.lastRows(), d.lastFiles());
            out.printf("%-24s  %-34s  %s%n", d.dataset(), running, last);
        }
        out.println(budgetLine(s.budget()));
    }

    /**
     * Adds the run's people datasets to the {@code --summary-json} file as {@code people}, with the command's
     * exit code: to the events' summary just written when {@code withEvents}, else to a file of its own.
     */
    public static void writeJson(PeopleRunSummary s, java.nio.file.Path file, int exitCode, boolean withEvents) {
        tools.jackson.databind.json.JsonMapper mapper = tools.jackson.databind.json.JsonMapper.builder().build();
        try {
            Map<String, Object> root = new LinkedHashMap<>();
            if (withEvents && java.nio.file.Files.exists(file)) {
                @SuppressWarnings("unchecked")
                Map<String, Object> events = mapper.readValue(file.toFile(), Map.class);
                root.putAll(events);
            }
            root.put("exitCode", exitCode);
            Map<String, Object> people = new LinkedHashMap<>();
            people.put("requests", s.requests());
            people.put("exitCode", s.exitCode());
            people.put("datasets", s.datasets().stream().map(d -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("dataset", d.dataset());
                m.put("snapshotDate", d.snapshotDate() == null ? null : d.snapshotDate().toString());
                m.put("state", d.state());
                m.put("pages", d.pages());
                m.put("profiles", d.profiles());
                m.put("rows", d.rows());
                m.put("files", d.files());
                m.put("message", d.message());
                m.put("nextSlotAt", d.nextSlotAt() == null ? null : d.nextSlotAt().toString());
                return m;
            }).toList());
            root.put("people", people);
            java.nio.file.Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                java.nio.file.Files.createDirectories(parent);
            }
            java.nio.file.Files.write(file, mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + file, e);
        }
    }

    /** The status as a JSON tree ({@code status --json}'s {@code people}). */
    public static Map<String, Object> json(PeopleStatus s) {
        Map<String, Object> root = new LinkedHashMap<>();
        List<Map<String, Object>> datasets = new ArrayList<>();
        for (PeopleStatus.Dataset d : s.datasets()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("dataset", d.dataset());
            if (d.inProgressDate() != null) {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("snapshotDate", d.inProgressDate().toString());
                p.put("startedAt", d.inProgressSince().toString());
                p.put("queriesDone", d.queriesDone());
                p.put("queries", d.queries());
                p.put("pages", d.pagesSoFar());
                p.put("profiles", d.profilesSoFar());
                m.put("inProgress", p);
            } else {
                m.put("inProgress", null);
            }
            if (d.lastDate() != null) {
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("snapshotDate", d.lastDate().toString());
                l.put("rows", d.lastRows());
                l.put("files", d.lastFiles());
                l.put("publishedAt", d.lastPublishedAt() == null ? null : d.lastPublishedAt().toString());
                m.put("lastComplete", l);
            } else {
                m.put("lastComplete", null);
            }
            datasets.add(m);
        }
        root.put("datasets", datasets);
        Map<String, Object> budget = new LinkedHashMap<>();
        budget.put("usedLastHour", s.budget().usedLastHour());
        budget.put("perHour", s.budget().perHour());
        budget.put("remaining", s.budget().remaining());
        budget.put("nextSlotAt", s.budget().nextSlotAt().toString());
        root.put("queryBudget", budget);
        return root;
    }
}
