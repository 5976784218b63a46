package io.mixpanelpipelines.source;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * One page of an engage answer, as received: the whole body (kept byte for byte, so it can be spooled and
 * converted later) and what was read from it. Each profile's {@code $properties} is located in the body,
 * never re-encoded: {@link #properties(Profile)} returns exactly the bytes Mixpanel sent.
 *
 * @param body the response body
 * @param page the page number Mixpanel says this is
 * @param sessionId the query's session, for its next page
 * @param total the profiles the whole query matches (-1 when not given)
 * @param profiles in body order
 */
public record EngagePage(byte[] body, int page, String sessionId, long total, List<Profile> profiles) {

    private static final JsonFactory JSON = new JsonFactory();

    /** Mixpanel's page size: a shorter page is the query's last. */
    public static final int PAGE_SIZE = 1000;

    /**
     * @param propertiesOffset where {@code $properties} starts in the body (-1: absent)
     * @param lastSeen the text of {@code $properties.$last_seen} when it is a string, else null
     */
    public record Profile(String distinctId, int propertiesOffset, int propertiesLength, String lastSeen) {
    }

    public EngagePage {
        profiles = List.copyOf(profiles);
    }

    /** Whether this page ends its query (Mixpanel's pages are full until the last). */
    public boolean isLast(int pageSize) {
        return profiles.size() < pageSize;
    }

    /** The profile's {@code $properties} object exactly as served; {@code {}} when absent. */
    public byte[] properties(Profile p) {
        if (p.propertiesOffset() < 0) {
            return new byte[] {'{', '}'};
        }
        return java.util.Arrays.copyOfRange(body, p.propertiesOffset(), p.propertiesOffset() + p.propertiesLength());
    }

    /**
     * Reads an engage body.
     *
     * @throws IllegalArgumentException when it is not a whole engage answer (a cut body, an error status,
     *     a profile without {@code $distinct_id})
     */
    public static EngagePage parse(byte[] body) {
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("an engage answer must be a JSON object");
            }
            int page = -1;
            long total = -1;
            String session = null;
            String status = null;
            List<Profile> profiles = new ArrayList<>();
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "page" -> page = value.isNumeric() ? p.getIntValue() : -1;
                    case "total" -> total = value.isNumeric() ? p.getLongValue() : -1;
                    case "session_id" -> session = value == JsonToken.VALUE_NULL ? null : p.getString();
                    case "status" -> status = value == JsonToken.VALUE_NULL ? null : p.getString();
                    case "results" -> results(p, value, profiles);
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("text after the engage answer");
            }
            if (status != null && !status.equals("ok")) {
                throw new IllegalArgumentException("engage answered status '" + status + "'");
            }
            return new EngagePage(body, page, session, total, profiles);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not a whole engage answer: " + e.getOriginalMessage(), e);
        }
    }

    private static void results(JsonParser p, JsonToken value, List<Profile> out) {
        if (value != JsonToken.START_ARRAY) {
            throw new IllegalArgumentException("results must be a list");
        }
        while (p.nextToken() == JsonToken.START_OBJECT) {
            String id = null;
            int offset = -1;
            int length = 0;
            String lastSeen = null;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (name.equals("$distinct_id") && v.isScalarValue() && v != JsonToken.VALUE_NULL) {
                    id = p.getString();
                } else if (name.equals("$properties") && v == JsonToken.START_OBJECT) {
                    offset = (int) p.currentTokenLocation().getByteOffset();
                    lastSeen = lastSeen(p);
                    length = (int) p.currentLocation().getByteOffset() - offset;
                } else {
                    p.skipChildren();
                }
            }
            if (id == null) {
                throw new IllegalArgumentException("a profile without $distinct_id");
            }
            out.add(new Profile(id, offset, length, lastSeen));
        }
    }

    /** Reads the properties object to its end; returns its {@code $last_seen} string, if any. */
    private static String lastSeen(JsonParser p) {
        String lastSeen = null;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (name.equals("$last_seen") && v == JsonToken.VALUE_STRING) {
                lastSeen = p.getString();
            } else {
                p.skipChildren();
            }
        }
        return lastSeen;
    }
}
