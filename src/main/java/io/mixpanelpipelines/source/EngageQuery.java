package io.mixpanelpipelines.source;

import java.time.LocalDate;
import java.util.List;

/**
 * One page request of Mixpanel's engage query (profiles). Page 0 (without a session) starts the query;
 * page {@code n > 0} repeats the same filters with the {@code sessionId} page 0 answered.
 *
 * @param snapshotDate the snapshot this request belongs to; recorded in the request log as its day
 * @param where an engage {@code where} expression; null for all profiles
 * @param outputProperties only these properties; empty for all
 * @param filterByCohort a cohort as Mixpanel's JSON ({@code {"id": 123}}); null for none
 * @param includeAllUsers with a cohort: include its members that have no profile; null to leave Mixpanel's default
 * @param dataGroupId group profiles of this group type instead of user profiles; null for users
 * @param sessionId the session of page 0; null on page 0
 */
public record EngageQuery(LocalDate snapshotDate, String where, List<String> outputProperties, String filterByCohort,
        Boolean includeAllUsers, String dataGroupId, String sessionId, int page) {

    public EngageQuery {
        outputProperties = List.copyOf(outputProperties);
        if (page < 0 || (page > 0 && sessionId == null)) {
            throw new IllegalArgumentException("page " + page + " needs the session_id of page 0");
        }
    }

    /** The next page of the same query, in {@code session}. */
    public EngageQuery next(String session, int nextPage) {
        return new EngageQuery(snapshotDate, where, outputProperties, filterByCohort, includeAllUsers, dataGroupId,
                session, nextPage);
    }

    /** Page 0 of the same query again, in a new session (the old one expired). */
    public EngageQuery restart() {
        return new EngageQuery(snapshotDate, where, outputProperties, filterByCohort, includeAllUsers, dataGroupId, null, 0);
    }

    /** A short label for logs and messages. */
    public String label() {
        return (where == null ? "all profiles" : where) + " page " + page;
    }
}
