package io.mixpanelpipelines.state;

/**
 * One independent engage query of a people snapshot: the profiles whose {@code $last_seen} is within
 * {@code [lower, upper)} (a null bound is open), or, when {@code unset}, those without {@code $last_seen}.
 *
 * @param state PENDING (pages to read), SPLIT (replaced by narrower queries) or DONE
 * @param total profiles the query matched in its session (-1: not asked yet)
 * @param pagesDone pages spooled and checkpointed, in session {@code sessionId}
 */
public record PeopleQueryRecord(int no, String lower, String upper, boolean unset, String state, long total,
        int pagesDone, long rowsDone, String sessionId) {

    public static final String PENDING = "PENDING";
    public static final String SPLIT = "SPLIT";
    public static final String DONE = "DONE";

    /** A query not started yet. */
    public static PeopleQueryRecord pending(String lower, String upper, boolean unset) {
        return new PeopleQueryRecord(-1, lower, upper, unset, PENDING, -1, 0, 0, null);
    }
}
