package io.mixpanelpipelines.cli.output;

import io.mixpanelpipelines.job.plan.DayRanges;
import io.mixpanelpipelines.state.IdentityRecord;
import io.mixpanelpipelines.state.PartitionRecord;
import io.mixpanelpipelines.state.PartitionState;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The identity mappings table for {@code status}, next to the event calendar: the days whose mappings are
 * published and their rows, and the published event days whose mappings are missing or were derived from
 * other content than the events published now (an export over their range rebuilds them without a request).
 */
public final class IdentityStatus {

    private final Map<LocalDate, IdentityRecord> identity = new TreeMap<>();
    private final List<LocalDate> outdated = new ArrayList<>();

    public IdentityStatus(List<PartitionRecord> events, List<IdentityRecord> identity) {
        identity.forEach(r -> this.identity.put(r.day(), r));
        for (PartitionRecord e : events) {
            IdentityRecord i = this.identity.get(e.day());
            if (e.state() == PartitionState.PUBLISHED && (i == null || !i.isCurrentFor(e))) {
                outdated.add(e.day());
            }
        }
    }

    public long rows() {
        return identity.values().stream().mapToLong(IdentityRecord::rows).sum();
    }

    /** Published event days without current mappings, oldest first. */
    public List<LocalDate> outdated() {
        return outdated;
    }

    /** One line for the text status. */
    public String line() {
        StringBuilder sb = new StringBuilder(String.format("Identity mappings: %d day(s), %,d row(s) in identity_mappings/",
                identity.size(), rows()));
        if (!outdated.isEmpty()) {
            sb.append(String.format("; %d published day(s) without current mappings: %s (export --from/--to over them "
                    + "rebuilds them from the published events, no request)", outdated.size(), DayRanges.format(outdated)));
        }
        return sb.toString();
    }

    /** The {@code identity} object of {@code status --json}. */
    public Map<String, Object> json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("days", identity.size());
        root.put("rows", rows());
        root.put("outdated", outdated.stream().map(LocalDate::toString).toList());
        root.put("mappings", identity.values().stream().map(r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("day", r.day().toString());
            m.put("rows", r.rows());
            m.put("current", !outdated.contains(r.day()));
            m.put("publishedAt", r.publishedAt().toString());
            return m;
        }).toList());
        return root;
    }
}
