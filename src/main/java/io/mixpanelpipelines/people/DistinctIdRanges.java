package io.mixpanelpipelines.people;

import io.mixpanelpipelines.state.PeopleQueryRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * The second split key, for the profiles without {@code $last_seen} (which {@link LastSeenRanges} cannot cut in
 * time): ranges of {@code $distinct_id} by string comparison, {@code properties["$distinct_id"] >= "a" and
 * properties["$distinct_id"] < "b"}, which every profile has. Such a query is a {@link PeopleQueryRecord} with
 * {@code unset} true and its bounds (null: unbounded) holding distinct-id cuts instead of times, so the ledger
 * needs no other column. Cuts are taken at quantiles of the distinct ids page 0 carried, shortened to at most
 * {@value #MAX_CUT} characters and before any {@code "} or {@code \} (a cut is only a boundary: any string
 * orders the ids the same way, and a short one fits the ledger and needs no escaping). A part that is still
 * too large is cut again from its own page 0. The parts partition the range whatever order Mixpanel compares
 * strings in, as long as it is one total order; only their balance depends on it. Stateless; thread-safe.
 */
final class DistinctIdRanges {

    /** The ledger's bound columns hold 32 characters. */
    static final int MAX_CUT = 32;
    private static final int MAX_PARTS = 64;

    private DistinctIdRanges() {
    }

    /** The {@code where} terms bounding a query's distinct ids, or an empty list when it has no bounds. */
    static List<String> terms(PeopleQueryRecord q) {
        List<String> terms = new ArrayList<>();
        if (q.lower() != null) {
            terms.add("properties[\"$distinct_id\"] >= \"" + q.lower() + "\"");
        }
        if (q.upper() != null) {
            terms.add("properties[\"$distinct_id\"] < \"" + q.upper() + "\"");
        }
        return terms;
    }

    /**
     * Cuts {@code q} (profiles without {@code $last_seen}) into parts expected to match at most half of
     * {@code maxRows} each; an empty list when the sample offers no cut inside the range (the query is then
     * read whole).
     *
     * @param total what page 0 said the range matches
     * @param sample the distinct ids of page 0's profiles (any order)
     */
    static List<PeopleQueryRecord> split(PeopleQueryRecord q, long total, List<String> sample, long maxRows) {
        int parts = (int) Math.min(MAX_PARTS, Math.max(2, (total + maxRows / 2 - 1) / Math.max(1, maxRows / 2)));
        List<String> sorted = sample.stream().filter(id -> id != null && inside(q, id)).sorted().toList();
        List<String> cuts = new ArrayList<>();
        for (int i = 1; i < parts && !sorted.isEmpty(); i++) {
            String cut = cut(sorted.get((int) ((long) i * sorted.size() / parts)));
            String previous = cuts.isEmpty() ? q.lower() : cuts.get(cuts.size() - 1);
            if ((previous == null || cut.compareTo(previous) > 0) && (q.upper() == null || cut.compareTo(q.upper()) < 0)) {
                cuts.add(cut);
            }
        }
        if (cuts.isEmpty()) {
            return List.of();
        }
        List<PeopleQueryRecord> out = new ArrayList<>();
        String lower = q.lower();
        for (String cut : cuts) {
            out.add(PeopleQueryRecord.pending(lower, cut, true));
            lower = cut;
        }
        out.add(PeopleQueryRecord.pending(lower, q.upper(), true));
        return out;
    }

    /** The longest prefix of {@code id} of at most {@link #MAX_CUT} characters without a quote or a backslash. */
    static String cut(String id) {
        int end = Math.min(id.length(), MAX_CUT);
        for (int i = 0; i < end; i++) {
            char c = id.charAt(i);
            if (c == '"' || c == '\\' || Character.isSurrogate(c)) {
                end = i;
            }
        }
        return id.substring(0, end);
    }

    private static boolean inside(PeopleQueryRecord q, String id) {
        return (q.lower() == null || id.compareTo(q.lower()) >= 0) && (q.upper() == null || id.compareTo(q.upper()) < 0);
    }
}
