package io.mixpanelpipelines.job.day;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.dataset.PartInfo;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.batch.infrastructure.item.ExecutionContext;

class DayCheckpointTests {

    private static final String BODY = "body-a";
    private static final PartInfo P0 = new PartInfo("part-00000-run1.parquet", 10, 1000);
    private static final PartInfo P1 = new PartInfo("part-00001-run1.parquet", 5, 600);

    /** Two closed parts, rejections before each, one rejection in the second stretch only. */
    private static DayCheckpoint twoParts() {
        return DayCheckpoint.start("run1", BODY)
                .partClosed(P0, 4096, 13, 2, "line 3: not JSON", 111, 40, 80)
                .partClosed(P1, 8192, 20, 1, "line 15: not an object", 222, 55, 120);
    }

    @Test
    void startIsTheBeginningOfTheBody() {
        DayCheckpoint c = DayCheckpoint.start("run1", BODY);
        assertThat(c.parts()).isEmpty();
        assertThat(c.resumeOffset()).isZero();
        assertThat(c.resumeLine()).isEqualTo(1);
        assertThat(c.rejectedLines()).isZero();
        assertThat(c.rejectedLinesBytes()).isZero();
        assertThat(c.rejectedReasonsBytes()).isZero();
        assertThat(c.firstRejection()).isNull();
        assertThat(c.hashSum()).isZero();
        assertThat(c.published()).isFalse();
    }

    @Test
    void closedPartsAddUpAndTheFirstRejectionStaysTheFirst() {
        DayCheckpoint c = twoParts();
        assertThat(c.parts()).containsExactly(P0, P1);
        assertThat(c.resumeOffset()).isEqualTo(8192);
        assertThat(c.resumeLine()).isEqualTo(20);
        assertThat(c.rejectedLines()).isEqualTo(3);
        assertThat(c.rejectedLinesBytes()).isEqualTo(55);
        assertThat(c.rejectedReasonsBytes()).isEqualTo(120);
        assertThat(c.firstRejection()).isEqualTo("line 3: not JSON");
        assertThat(c.hashSum()).isEqualTo(333);
        assertThat(c.rows()).isEqualTo(15);
        assertThat(c.bytes()).isEqualTo(1600);
        // the end of a body with no part open moves the checkpoint without adding a part
        DayCheckpoint end = c.partClosed(null, 9000, 25, 0, null, 0, 55, 120);
        assertThat(end.parts()).containsExactly(P0, P1);
        assertThat(end.resumeOffset()).isEqualTo(9000);
        assertThat(end.firstRejection()).isEqualTo("line 3: not JSON");
    }

    @Test
    void savedThenRestoredOnTheSameBodyIsTheSameCheckpoint() {
        DayCheckpoint c = twoParts();
        ExecutionContext ec = new ExecutionContext();
        c.save(ec);
        assertThat(DayCheckpoint.savedSpoolId(ec)).isEqualTo(BODY);
        assertThat(DayCheckpoint.restore(ec, "run1", BODY)).isEqualTo(c);
    }

    @Test
    void aCheckpointIsAppliedOnlyToTheVeryBodyItWasMadeOn() {
        ExecutionContext ec = new ExecutionContext();
        twoParts().save(ec);
        // the spool was fetched again since: its body differs, so the day starts over on it
        DayCheckpoint other = DayCheckpoint.restore(ec, "run1", "body-b");
        assertThat(other).isEqualTo(DayCheckpoint.start("run1", "body-b"));
        // a conversion made while downloading is never resumed, not even on a body called the same
        ExecutionContext streamed = new ExecutionContext();
        DayCheckpoint.start("run1", DayCheckpoint.STREAMED).partClosed(P0, 4096, 13, 0, null, 1, 0, 0).save(streamed);
        assertThat(DayCheckpoint.restore(streamed, "run1", DayCheckpoint.STREAMED))
                .isEqualTo(DayCheckpoint.start("run1", DayCheckpoint.STREAMED));
        assertThat(DayCheckpoint.restore(streamed, "run1", BODY)).isEqualTo(DayCheckpoint.start("run1", BODY));
        // and a step that never saved one starts at the beginning
        assertThat(DayCheckpoint.restore(new ExecutionContext(), "run1", BODY)).isEqualTo(DayCheckpoint.start("run1", BODY));
    }

    @Test
    void discardGoesBackToTheStartOfTheSameBody() {
        DayCheckpoint c = twoParts();
        assertThat(c.discard()).isEqualTo(DayCheckpoint.start("run1", BODY));
        ExecutionContext ec = new ExecutionContext();
        c.save(ec);
        c.discard().save(ec);
        DayCheckpoint restored = DayCheckpoint.restore(ec, "run1", BODY);
        assertThat(restored.parts()).isEmpty();
        assertThat(restored.resumeOffset()).isZero();
        assertThat(restored.firstRejection()).as("no key of the discarded checkpoint survives").isNull();
        assertThat(restored.hashSum()).isZero();
    }

    @Test
    void theRunIdOfTheFilesSurvivesARestart() {
        ExecutionContext ec = new ExecutionContext();
        assertThat(DayCheckpoint.runId(ec, "run1")).isEqualTo("run1");
        assertThat(DayCheckpoint.runId(ec, "run2")).as("a restart keeps the first run's part names").isEqualTo("run1");
    }

    @Test
    void aPublishedDayIsSeenAsSuch() {
        ExecutionContext ec = new ExecutionContext();
        assertThat(DayCheckpoint.isPublished(ec)).isFalse();
        twoParts().save(ec);
        assertThat(DayCheckpoint.isPublished(ec)).isFalse();
        twoParts().asPublished().save(ec);
        assertThat(DayCheckpoint.isPublished(ec)).isTrue();
    }

    @Test
    void restoresTheKeysEarlierVersionsSaved() {
        // the key names are a format: a step execution saved before an upgrade resumes after it
        ExecutionContext ec = new ExecutionContext();
        ec.putString("day.runId", "run0");
        ec.putString("day.spoolId", BODY);
        ec.putString("day.parts", PartInfo.encode(List.of(P0)));
        ec.putLong("day.resumeOffset", 4096);
        ec.putLong("day.resumeLine", 13);
        ec.putLong("day.rejected", 2);
        ec.putLong("day.rejectedLinesBytes", 40);
        ec.putLong("day.rejectedReasonsBytes", 80);
        ec.putString("day.firstRejection", "line 3: not JSON");
        ec.putLong("day.hashSum", 111);
        ec.put("day.published", false);
        String runId = DayCheckpoint.runId(ec, "run9");
        DayCheckpoint c = DayCheckpoint.restore(ec, runId, BODY);
        assertThat(c).isEqualTo(new DayCheckpoint("run0", BODY, List.of(P0), 4096, 13, 2, 40, 80, "line 3: not JSON", 111,
                false));
        ExecutionContext again = new ExecutionContext();
        c.save(again);
        assertThat(again.toMap()).isEqualTo(ec.toMap());
    }

    @Test
    void repairedLinesAreSavedAndRestored() {
        ExecutionContext ec = new ExecutionContext();
        DayCheckpoint c = DayCheckpoint.start("run1", BODY).partClosed(P0, 4096, 13, 0, null, 1, 0, 0).withRepaired(3, 900);
        c.save(ec);

        DayCheckpoint back = DayCheckpoint.restore(ec, "run1", BODY);

        assertThat(back.repairedLines()).isEqualTo(3);
        assertThat(back.repairedLinesBytes()).isEqualTo(900);
        assertThat(back).isEqualTo(c);
        assertThat(back.discard().repairedLines()).isZero();
    }
}
