package io.mixpanelpipelines.simulator;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The validated parameters of one {@code /api/2.0/export} request. Immutable; thread-safe.
 *
 * @param from     first day, inclusive
 * @param to       last day, inclusive
 * @param events   event names to keep; empty keeps all
 * @param time     the {@code where} filter
 * @param limit    the most events to return
 * @param timeInMs whether {@code time} is in milliseconds
 */
record ExportQuery(LocalDate from, LocalDate to, Set<String> events, TimeFilter time, long limit,
        boolean timeInMs) {

    /** Mixpanel's documented maximum for {@code limit}. */
    static final long MAX_LIMIT = 100_000;

    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    static ExportQuery parse(Map<String, String> params, LocalDate today) throws ExportRejection {
        LocalDate from = date(params, "from_date");
        LocalDate to = date(params, "to_date");
        if (from.isAfter(to)) {
            throw new ExportRejection(400, "from_date cannot be later than to_date");
        }
        if (to.isAfter(today)) {
            throw new ExportRejection(400, "to_date cannot be later than today");
        }
        return new ExportQuery(from, to, events(params.get("event")), TimeFilter.parse(params.get("where")),
                limit(params.get("limit")), Boolean.parseBoolean(params.get("time_in_ms")));
    }

    /** Parses a date parameter, or null when it is missing or malformed (for the request log). */
    static LocalDate dateOrNull(String text) {
        try {
            return text != null && DATE.matcher(text).matches() ? LocalDate.parse(text) : null;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Whether any filter is set; when not, events need not be inspected before writing. */
    boolean filters() {
        return !events.isEmpty() || time != TimeFilter.ALL;
    }

    boolean accepts(EventGenerator.Header header) {
        return (events.isEmpty() || events.contains(header.name())) && time.accepts(header.utcMillis());
    }

    private static LocalDate date(Map<String, String> params, String name) throws ExportRejection {
        String text = params.get(name);
        if (text == null || text.isEmpty()) {
            throw new ExportRejection(400, name + " is a required parameter");
        }
        LocalDate date = dateOrNull(text);
        if (date == null) {
            throw new ExportRejection(400, name + " must be a date in the format yyyy-mm-dd");
        }
        return date;
    }

    private static Set<String> events(String text) throws ExportRejection {
        if (text == null || text.isBlank()) {
            return Set.of();
        }
        try {
            JsonNode node = JSON.readTree(text);
            Set<String> names = new LinkedHashSet<>();
            if (!node.isArray()) {
                throw new ExportRejection(400, "event must be a JSON array of event names");
            }
            for (JsonNode name : node) {
                if (!name.isString()) {
                    throw new ExportRejection(400, "event must be a JSON array of event names");
                }
                names.add(name.stringValue());
            }
            return Set.copyOf(names);
        } catch (JacksonException e) {
            throw new ExportRejection(400, "event must be a JSON array of event names");
        }
    }

    private static long limit(String text) throws ExportRejection {
        if (text == null || text.isBlank()) {
            return Long.MAX_VALUE;
        }
        try {
            long limit = Long.parseLong(text.strip());
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new ExportRejection(400, "limit must be between 1 and " + MAX_LIMIT);
            }
            return limit;
        } catch (NumberFormatException e) {
            throw new ExportRejection(400, "limit must be an integer");
        }
    }
}
