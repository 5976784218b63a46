package io.mixpanelpipelines.cli.output;

import io.mixpanelpipelines.job.plan.DaySlice;
import io.mixpanelpipelines.job.plan.RequestWindow;
import io.mixpanelpipelines.source.RequestBudget;
import java.io.PrintStream;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Prints {@code plan}: the requests a run would send, in the order it spends its budget, with their cost: a
 * window of whole days costs one request, a sliced day one per slice not spooled yet (each slice listed with
 * its hours). What the budget does not cover now is marked DEFERRED, as the run would. As text or as JSON.
 * Not thread-safe (writes to one stream).
 */
public final class PlanPrinter {

    private final PrintStream out;
    private final ZoneId zone;
    private final Predicate<RequestWindow> fetched;
    private final Predicate<DaySlice> sliceSpooled;

    /**
     * @param zone the project's timezone, in which days are sliced
     * @param fetched whether a window's days are all spooled (it costs nothing)
     * @param sliceSpooled whether a slice's spool is complete
     */
    public PlanPrinter(PrintStream out, ZoneId zone, Predicate<RequestWindow> fetched, Predicate<DaySlice> sliceSpooled) {
        this.out = out;
        this.zone = zone;
        this.fetched = fetched;
        this.sliceSpooled = sliceSpooled;
    }

    /** One request of the plan: a window of whole days, or a slice (then {@code slice} is set). */
    private record Row(RequestWindow window, DaySlice slice, boolean spooled, boolean deferred) {
    }

    /** Rows in order, the budget applied as a run applies it: a sliced day starts while a request is left. */
    private List<List<Row>> rows(List<RequestWindow> windows, RequestBudget.Status budget) {
        int remaining = budget.remaining();
        List<List<Row>> all = new ArrayList<>();
        for (RequestWindow w : windows) {
            List<Row> rows = new ArrayList<>();
            boolean free = fetched.test(w);
            boolean taken = free || remaining > 0;
            if (!w.isSliced()) {
                rows.add(new Row(w, null, free, !taken));
                remaining -= taken && !free ? 1 : 0;
            } else {
                for (DaySlice s : w.slices(zone)) {
                    boolean spooled = free || sliceSpooled.test(s);
                    boolean sends = taken && !spooled && remaining > 0;
                    rows.add(new Row(w, s, spooled, !spooled && !sends));
                    remaining -= sends ? 1 : 0;
                }
            }
            all.add(rows);
        }
        return all;
    }

    public void text(List<RequestWindow> windows, RequestBudget.Status budget) {
        int cost = 0;
        out.printf("%-3s  %-23s %5s  %-9s %12s  %s%n", "#", "DAYS", "COUNT", "KIND", "EST. BYTES", "COST");
        int i = 0;
        for (List<Row> rows : rows(windows, budget)) {
            RequestWindow w = rows.get(0).window();
            long sends = rows.stream().filter(r -> !r.spooled() && !r.deferred()).count();
            cost += (int) sends;
            String note;
            if (w.isSliced()) {
                long spooled = rows.stream().filter(Row::spooled).count();
                long deferred = rows.stream().filter(Row::deferred).count();
                note = sends + " request(s): " + rows.size() + " slices of " + w.sliceHours() + " h"
                        + (spooled > 0 ? ", " + spooled + " spooled" : "") + (deferred > 0 ? ", " + deferred + " DEFERRED (budget)" : "");
            } else {
                Row r = rows.get(0);
                note = r.spooled() ? "0 (spooled)" : r.deferred() ? "1 request: DEFERRED (budget)" : "1 request";
            }
            out.printf("%-3d  %-23s %5d  %-9s %12s  %s%n", ++i, w.label(), w.size(), w.kind(), bytes(w.estimatedBytes()), note);
            if (w.isSliced()) {
                for (Row r : rows) {
                    out.printf("       %-21s %5s  %-9s %12s  %s%n", r.slice().label(), "", "",
                            bytes(w.estimatedBytes() / rows.size()), r.spooled() ? "0 (spooled)"
                                    : r.deferred() ? "1 request: DEFERRED (budget)" : "1 request");
                }
            }
        }
        out.printf("%d request window(s); this run would send %d request(s) (retries aside)%n", windows.size(), cost);
        out.println(SummaryPrinter.budgetLine(budget));
    }

    /** The plan as a JSON tree (windows, requests, budget), for the caller to extend and print. */
    public Map<String, Object> json(List<RequestWindow> windows, RequestBudget.Status budget) {
        List<Object> list = new ArrayList<>();
        int cost = 0;
        for (List<Row> rows : rows(windows, budget)) {
            RequestWindow w = rows.get(0).window();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("window", w.label());
            m.put("from", w.from().toString());
            m.put("to", w.to().toString());
            m.put("days", w.size());
            m.put("kind", w.kind().name());
            m.put("estimatedBytes", w.estimatedBytes());
            int sends = (int) rows.stream().filter(r -> !r.spooled() && !r.deferred()).count();
            cost += sends;
            m.put("requests", sends);
            m.put("deferredRequests", rows.stream().filter(Row::deferred).count());
            m.put("spooled", rows.stream().allMatch(Row::spooled));
            if (w.isSliced()) {
                m.put("sliceHours", w.sliceHours());
                List<Object> slices = new ArrayList<>();
                for (Row r : rows) {
                    Map<String, Object> s = new LinkedHashMap<>();
                    s.put("slice", r.slice().label());
                    s.put("start", r.slice().start().toString());
                    s.put("end", r.slice().end().toString());
                    s.put("where", r.slice().where());
                    s.put("estimatedBytes", w.estimatedBytes() / rows.size());
                    s.put("requests", r.spooled() || r.deferred() ? 0 : 1);
                    s.put("spooled", r.spooled());
                    s.put("deferred", r.deferred());
                    slices.add(s);
                }
                m.put("slices", slices);
            }
            list.add(m);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("windows", list);
        root.put("requests", cost);
        root.put("budget", Map.of("perHour", budget.perHour(), "usedLastHour", budget.usedLastHour(),
                "remaining", budget.remaining()));
        return root;
    }

    private static String bytes(long n) {
        return n > 0 ? String.format("%,d", n) : "unknown";
    }
}
