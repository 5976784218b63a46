package io.mixpanelpipelines.cli.output;

import io.mixpanelpipelines.source.RequestBudget;
import io.mixpanelpipelines.state.PartitionRecord;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.TextStyle;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The operator's view of a job: a month calendar of its days by state, coloured on a terminal (ANSI) and
 * with a letter per day everywhere, so that plain text (piped, logs) reads the same; and the same facts as
 * JSON for machines.
 */
public final class StatusCalendar {

    /** A day's state in the calendar. */
    public enum DayState {
        PUBLISHED('P', "32"), FAILED('F', "31"), DEFERRED('D', "33"), PENDING('R', "36"), MISSING('.', "35;1"), NONE(' ', "2");

        final char letter;
        final String ansi;

        DayState(char letter, String ansi) {
            this.letter = letter;
            this.ansi = ansi;
        }
    }

    private final Map<LocalDate, PartitionRecord> records = new TreeMap<>();
    private final LocalDate firstDay;
    private final LocalDate today;

    /**
     * @param firstDay the job's first day ({@code export.startDate}); days from it to yesterday never exported are missing
     * @param today today in the project timezone
     */
    public StatusCalendar(List<PartitionRecord> records, LocalDate firstDay, LocalDate today) {
        records.forEach(r -> this.records.put(r.day(), r));
        this.firstDay = firstDay;
        this.today = today;
    }

    public DayState state(LocalDate day) {
        PartitionRecord r = records.get(day);
        if (r != null) {
            return switch (r.state()) {
                case PUBLISHED -> DayState.PUBLISHED;
                case FAILED -> DayState.FAILED;
                case DEFERRED -> DayState.DEFERRED;
                case RUNNING, RERUN_REQUESTED -> DayState.PENDING;
            };
        }
        return !day.isBefore(firstDay) && day.isBefore(today) ? DayState.MISSING : DayState.NONE;
    }

    /** The last {@code months} months up to this one (fewer when the job starts later), oldest first. */
    public String render(int months, boolean ansi) {
        StringBuilder b = new StringBuilder();
        YearMonth last = YearMonth.from(today);
        YearMonth first = last.minusMonths(months - 1L);
        YearMonth start = YearMonth.from(firstDay);
        if (!records.isEmpty()) {
            YearMonth earliest = YearMonth.from(((TreeMap<LocalDate, PartitionRecord>) records).firstKey());
            start = earliest.isBefore(start) ? earliest : start;
        }
        if (first.isBefore(start)) {
            first = start.isAfter(last) ? last : start;
        }
        for (YearMonth m = first; !m.isAfter(last); m = m.plusMonths(1)) {
            month(b, m, ansi);
            b.append('\n');
        }
        b.append("P published  F failed  D deferred  R running or rerun requested  . missing\n");
        return b.toString();
    }

    private void month(StringBuilder b, YearMonth m, boolean ansi) {
        String title = m.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH) + " " + m.getYear();
        b.append(" ".repeat(Math.max(0, (27 - title.length()) / 2))).append(title).append('\n');
        b.append(" Mo  Tu  We  Th  Fr  Sa  Su\n");
        int lead = m.atDay(1).getDayOfWeek().getValue() - DayOfWeek.MONDAY.getValue();
        b.append("    ".repeat(lead));
        for (int d = 1; d <= m.lengthOfMonth(); d++) {
            LocalDate day = m.atDay(d);
            DayState s = state(day);
            String cell = String.format("%2d%c", d, s.letter);
            b.append(ansi ? "\u001b[" + s.ansi + "m" + cell + "\u001b[0m" : cell);
            b.append(day.getDayOfWeek() == DayOfWeek.SUNDAY || d == m.lengthOfMonth() ? "\n" : " ");
        }
    }

    /** Days by state and the budget, for {@code status --json}. */
    public Map<String, Object> json(String job, RequestBudget.Status budget) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("job", job);
        root.put("today", today.toString());
        root.put("firstDay", firstDay.toString());
        Map<String, Long> counts = new LinkedHashMap<>();
        for (DayState s : DayState.values()) {
            if (s != DayState.NONE) {
                counts.put(s.name().toLowerCase(Locale.ROOT), 0L);
            }
        }
        List<String> missing = new java.util.ArrayList<>();
        for (LocalDate d = firstDay; d.isBefore(today); d = d.plusDays(1)) {
            if (state(d) == DayState.MISSING) {
                missing.add(d.toString());
            }
        }
        records.values().forEach(r -> counts.merge(state(r.day()).name().toLowerCase(Locale.ROOT), 1L, Long::sum));
        counts.put("missing", (long) missing.size());
        root.put("counts", counts);
        root.put("partitions", records.values().stream().map(r -> {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("day", r.day().toString());
            p.put("state", r.state().name());
            p.put("rows", r.rows());
            p.put("files", r.files());
            p.put("bytes", r.bytes());
            p.put("attempts", r.attempts());
            p.put("lastError", r.lastError());
            p.put("updatedAt", r.updatedAt() == null ? null : r.updatedAt().toString());
            return p;
        }).toList());
        root.put("missing", missing);
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("usedLastHour", budget.usedLastHour());
        b.put("perHour", budget.perHour());
        b.put("remaining", budget.remaining());
        b.put("nextSlotAt", budget.nextSlotAt() == null ? null : budget.nextSlotAt().toString());
        root.put("budget", b);
        return root;
    }
}
