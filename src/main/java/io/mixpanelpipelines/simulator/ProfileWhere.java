package io.mixpanelpipelines.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of Mixpanel's engage {@code where} language the simulator understands: terms joined by
 * {@code and}, each {@code properties["NAME"] OP "TEXT"} (OP one of {@code >= > < <= ==}, compared as text,
 * which orders ISO date-times like {@code $last_seen} correctly), {@code defined(properties["NAME"])} or
 * {@code not defined(properties["NAME"])}; {@code properties["$distinct_id"]} compares the profile's id. Anything else is refused with a 400, so that a client never
 * believes a filter was applied when it was not. Immutable; thread-safe.
 */
final class ProfileWhere {

    private static final Pattern COMPARISON = Pattern.compile(
            "properties\\[\"([^\"]+)\"]\\s*(>=|<=|==|>|<)\\s*\"([^\"]*)\"");
    /** Every profile's id, addressable as a property in a comparison, as the reader's second split key uses it. */
    private static final String DISTINCT_ID = "$distinct_id";
    private static final Pattern DEFINED = Pattern.compile("(not\\s+)?defined\\s*\\(\\s*properties\\[\"([^\"]+)\"]\\s*\\)");

    private ProfileWhere() {
    }

    /** @throws ExportRejection 400 naming the term that is not understood */
    static Predicate<ProfileCatalog.Profile> parse(String where) throws ExportRejection {
        if (where == null || where.isBlank()) {
            return p -> true;
        }
        List<Predicate<ProfileCatalog.Profile>> terms = new ArrayList<>();
        for (String term : where.strip().split("\\s+and\\s+")) {
            terms.add(term(term.strip()));
        }
        return p -> terms.stream().allMatch(t -> t.test(p));
    }

    private static Predicate<ProfileCatalog.Profile> term(String term) throws ExportRejection {
        Matcher m = COMPARISON.matcher(term);
        if (m.matches()) {
            String name = m.group(1);
            String op = m.group(2);
            String value = m.group(3);
            return p -> {
                String text = name.equals(DISTINCT_ID) ? p.distinctId() : null;
                if (text == null) {
                    String raw = p.properties().get(name);
                    if (raw == null || !raw.startsWith("\"")) {
                        return false;
                    }
                    text = raw.substring(1, raw.length() - 1);
                }
                int c = text.compareTo(value);
                return switch (op) {
                    case ">=" -> c >= 0;
                    case ">" -> c > 0;
                    case "<" -> c < 0;
                    case "<=" -> c <= 0;
                    default -> c == 0;
                };
            };
        }
        m = DEFINED.matcher(term);
        if (m.matches()) {
            boolean negated = m.group(1) != null;
            String name = m.group(2);
            return p -> p.properties().containsKey(name) != negated;
        }
        throw new ExportRejection(400, "the simulator does not understand this where expression: " + term);
    }
}
