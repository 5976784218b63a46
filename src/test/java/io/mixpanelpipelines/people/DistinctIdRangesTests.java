package io.mixpanelpipelines.people;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.state.PeopleQueryRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The second split key: distinct-id ranges of the profiles without {@code $last_seen}. */
class DistinctIdRangesTests {

    private static final PeopleQueryRecord UNSET = PeopleQueryRecord.pending(null, null, true);

    @Test
    void theProfilesWithoutLastSeenAreCutAtQuantilesOfTheSampleIntoAdjacentRanges() {
        List<String> sample = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            sample.add("user-" + i);
        }
        List<PeopleQueryRecord> parts = DistinctIdRanges.split(UNSET, 5_000, sample, 2_000);

        assertThat(parts).hasSize(5).allMatch(PeopleQueryRecord::unset);
        assertThat(parts.get(0).lower()).isNull();
        assertThat(parts.get(parts.size() - 1).upper()).isNull();
        for (int i = 1; i < parts.size(); i++) {
            assertThat(parts.get(i).lower()).isEqualTo(parts.get(i - 1).upper());
            assertThat(parts.get(i).lower()).isGreaterThan(parts.get(i - 1).lower() == null ? "" : parts.get(i - 1).lower());
        }
        assertThat(LastSeenRanges.where(parts.get(1))).isEqualTo("not defined(properties[\"$last_seen\"]) and "
                + "properties[\"$distinct_id\"] >= \"" + parts.get(1).lower() + "\" and properties[\"$distinct_id\"] < \""
                + parts.get(1).upper() + "\"");
        assertThat(LastSeenRanges.where(UNSET)).isEqualTo("not defined(properties[\"$last_seen\"])");
    }

    @Test
    void aPartIsCutInsideItsOwnBoundsAndNotAtAllWithoutASampleInside() {
        PeopleQueryRecord part = PeopleQueryRecord.pending("b", "d", true);
        List<PeopleQueryRecord> parts = DistinctIdRanges.split(part, 4_000, List.of("a1", "b1", "b2", "c1", "c2", "e1"), 2_000);
        assertThat(parts).isNotEmpty();
        assertThat(parts.get(0).lower()).isEqualTo("b");
        assertThat(parts.get(parts.size() - 1).upper()).isEqualTo("d");
        assertThat(parts).allSatisfy(p -> assertThat(p.lower()).isBetween("b", "d"));

        assertThat(DistinctIdRanges.split(part, 4_000, List.of("a1", "e1"), 2_000)).isEmpty();
        assertThat(DistinctIdRanges.split(part, 4_000, List.of("b"), 2_000)).as("no cut above the lower bound").isEmpty();
    }

    @Test
    void aCutIsShortAndNeedsNoEscaping() {
        assertThat(DistinctIdRanges.cut("x".repeat(40))).hasSize(DistinctIdRanges.MAX_CUT);
        assertThat(DistinctIdRanges.cut("ab\"cd")).isEqualTo("ab");
        assertThat(DistinctIdRanges.cut("ab\\cd")).isEqualTo("ab");
        assertThat(DistinctIdRanges.cut("user-42")).isEqualTo("user-42");
    }
}
