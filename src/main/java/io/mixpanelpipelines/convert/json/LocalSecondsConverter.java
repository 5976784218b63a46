package io.mixpanelpipelines.convert.json;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;

/**
 * Turns Mixpanel's "local" timestamps into true UTC instants. Projects created before 2023 export
 * {@code time} as the project's wall-clock time encoded as if it were UTC; for a UTC (or any fixed-offset)
 * project the value is simply shifted by the offset, which is zero for UTC.
 *
 * <p>Wall-clock times that do not exist (the spring-forward gap) are moved forward by the length of the
 * gap, and times that exist twice (the fall-back overlap) take the earlier offset, i.e. the first
 * occurrence: the rules of {@link ZonedDateTime#ofLocal(LocalDateTime, ZoneId, ZoneOffset)} with no
 * preferred offset. Mixpanel does not document which one it means; the earlier offset is the usual
 * convention and errs by at most one hour inside a single hour of the year.
 *
 * <p>The offset of the last local day seen is cached when the whole day has one offset, so the common
 * case does no {@code java.time} work and allocates nothing. Not thread-safe.
 */
final class LocalSecondsConverter {

    private static final long MICROS_PER_SECOND = 1_000_000L;
    private static final long SECONDS_PER_DAY = 86_400L;

    private final ZoneId zone;
    private final ZoneRules rules;
    private final boolean fixed;
    private final long fixedOffsetMicros;

    private long cachedDay = Long.MIN_VALUE;
    private long cachedOffsetMicros;

    /** The project-local day of the last converted value; set by {@link #toUtcMicros}. */
    long lastEpochDay;

    LocalSecondsConverter(ZoneId zone) {
        this.zone = zone;
        this.rules = zone.getRules();
        this.fixed = rules.isFixedOffset();
        this.fixedOffsetMicros = fixed ? rules.getOffset(java.time.Instant.EPOCH).getTotalSeconds() * MICROS_PER_SECOND : 0;
    }

    /** Converts wall-clock microseconds (encoded as if UTC) to UTC epoch microseconds. */
    long toUtcMicros(long localMicros) {
        long localSecond = Math.floorDiv(localMicros, MICROS_PER_SECOND);
        long day = Math.floorDiv(localSecond, SECONDS_PER_DAY);
        if (fixed) {
            lastEpochDay = day;
            return localMicros - fixedOffsetMicros;
        }
        if (day != cachedDay && !cacheIfUniform(day)) {
            return convertSlowly(localMicros, localSecond);
        }
        lastEpochDay = day;
        return localMicros - cachedOffsetMicros;
    }

    /** Caches the day's offset when no transition happens within it (local midnight included). */
    private boolean cacheIfUniform(long day) {
        LocalDateTime midnight = LocalDateTime.ofEpochSecond(day * SECONDS_PER_DAY, 0, ZoneOffset.UTC);
        if (rules.getValidOffsets(midnight).size() != 1) {
            return false;
        }
        int offset = rules.getOffset(midnight).getTotalSeconds();
        long dayStart = day * SECONDS_PER_DAY - offset;
        long dayEnd = dayStart + SECONDS_PER_DAY;
        ZoneOffsetTransition next = rules.nextTransition(java.time.Instant.ofEpochSecond(dayStart));
        if (next != null && next.toEpochSecond() < dayEnd) {
            return false;
        }
        cachedDay = day;
        cachedOffsetMicros = offset * MICROS_PER_SECOND;
        return true;
    }

    private long convertSlowly(long localMicros, long localSecond) {
        LocalDateTime wallClock = LocalDateTime.ofEpochSecond(localSecond, 0, ZoneOffset.UTC);
        ZonedDateTime resolved = ZonedDateTime.ofLocal(wallClock, zone, null);
        lastEpochDay = resolved.toLocalDate().toEpochDay();
        return resolved.toEpochSecond() * MICROS_PER_SECOND + Math.floorMod(localMicros, MICROS_PER_SECOND);
    }
}
