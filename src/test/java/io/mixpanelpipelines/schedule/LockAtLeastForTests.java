package io.mixpanelpipelines.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.springframework.scheduling.support.CronExpression;

/**
 * How long a scheduled run holds its lock at least, so that a second replica firing for the same time is
 * refused: half the time to the next time, counted from the slot, whether the trigger fired early or late.
 */
class LockAtLeastForTests {

    private static final CronExpression EVERY_TEN_SECONDS = CronExpression.parse("*/10 * * * * *");
    private static final ZoneId UTC = ZoneId.of("UTC");
    private static final Instant SLOT = Instant.parse("2026-11-30T10:00:10Z");
    private static final Duration AT_MOST = Duration.ofMinutes(30);

    @Test
    void onTimeOrEarlyItHoldsAboutHalfTheTimeToTheNextSlot() {
        assertThat(ExportScheduler.lockAtLeastFor(EVERY_TEN_SECONDS, UTC, SLOT, SLOT, AT_MOST))
                .isEqualTo(Duration.ofSeconds(5));
        // a trigger firing 3 ms early: the slot is still its own, not the next time
        assertThat(ExportScheduler.lockAtLeastFor(EVERY_TEN_SECONDS, UTC, SLOT, SLOT.minusMillis(3), AT_MOST))
                .isEqualTo(Duration.ofMillis(5_001).plusNanos(500_000));
    }

    @Test
    void lateItHoldsUntilPastTheSlotsMidpointAndPastTheNextTimeNotAtAll() {
        // 2 s late: held until 6 s after the slot, so a replica firing up to then for the same slot is refused
        Duration late = ExportScheduler.lockAtLeastFor(EVERY_TEN_SECONDS, UTC, SLOT, SLOT.plusSeconds(2), AT_MOST);
        assertThat(SLOT.plusSeconds(2).plus(late)).isEqualTo(SLOT.plusSeconds(6));
        assertThat(ExportScheduler.lockAtLeastFor(EVERY_TEN_SECONDS, UTC, SLOT, SLOT.plusSeconds(11), AT_MOST)).isZero();
    }

    @Test
    void neverMoreThanTheLockIsHeldAtMost() {
        CronExpression daily = CronExpression.parse("0 0 2 * * *");
        Instant slot = Instant.parse("2026-11-30T02:00:00Z");
        assertThat(ExportScheduler.lockAtLeastFor(daily, UTC, slot, slot, AT_MOST)).isEqualTo(AT_MOST);
    }
}
