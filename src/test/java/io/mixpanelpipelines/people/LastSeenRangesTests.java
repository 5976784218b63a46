package io.mixpanelpipelines.people;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.state.PeopleQueryRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a snapshot is cut into queries: their where, the cuts at the sample's quantiles, and last_seen parsing. */
class LastSeenRangesTests {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    @Test
    void theWhereOfEachKindOfQuery() {
        assertThat(LastSeenRanges.full()).extracting(LastSeenRanges::where)
                .containsExactly("defined(properties[\"$last_seen\"])", "not defined(properties[\"$last_seen\"])");
        assertThat(LastSeenRanges.where(PeopleQueryRecord.pending("2026-01-01T00:00:00", "2026-02-01T00:00:00", false)))
                .isEqualTo("properties[\"$last_seen\"] >= \"2026-01-01T00:00:00\" and properties[\"$last_seen\"] < \"2026-02-01T00:00:00\"");
        assertThat(LastSeenRanges.changes("2026-01-01T00:00:00")).extracting(LastSeenRanges::where)
                .containsExactly("properties[\"$last_seen\"] >= \"2026-01-01T00:00:00\"");
    }

    @Test
    void aLargeRangeIsCutAtTheQuantilesOfItsSampleIntoContiguousParts() {
        List<String> sample = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            // skewed: most of the sample in the last days
            sample.add(i < 700 ? "2026-02-2" + (i % 8) + "T10:00:00" : "2025-0" + (1 + i % 9) + "-15T00:00:00");
        }
        PeopleQueryRecord root = PeopleQueryRecord.pending(null, null, false);

        List<PeopleQueryRecord> parts = LastSeenRanges.split(root, 40_000, sample, 20_000, NOW);

        assertThat(parts).hasSize(4);
        assertThat(parts.get(0).lower()).isNull();
        assertThat(parts.get(parts.size() - 1).upper()).isNull();
        for (int i = 1; i < parts.size(); i++) {
            assertThat(parts.get(i).lower()).isEqualTo(parts.get(i - 1).upper());
            assertThat(parts.get(i).lower()).isGreaterThan(parts.get(i - 1).lower() == null ? "" : parts.get(i - 1).lower());
        }
        assertThat(parts.stream().filter(p -> p.lower() != null && p.lower().startsWith("2026-02-2"))).as("cuts follow the data")
                .hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void withoutASampleARangeIsHalvedInTimeAndTheProfilesWithoutLastSeenAreNeverSplit() {
        PeopleQueryRecord range = PeopleQueryRecord.pending("2026-01-01T00:00:00", "2026-01-03T00:00:00", false);
        assertThat(LastSeenRanges.split(range, 50_000, List.of(), 20_000, NOW)).extracting(PeopleQueryRecord::upper)
                .containsExactly("2026-01-02T00:00:00", "2026-01-03T00:00:00");
        assertThat(LastSeenRanges.splittable(PeopleQueryRecord.pending(null, null, true), NOW)).isFalse();
        assertThat(LastSeenRanges.splittable(PeopleQueryRecord.pending("2026-01-01T00:00:00", "2026-01-01T00:00:01", false), NOW))
                .isFalse();
    }

    @Test
    void lastSeenIsReadAsUtcMicrosecondsOrNull() {
        assertThat(LastSeenRanges.micros("2026-01-01T00:00:01")).isEqualTo(Instant.parse("2026-01-01T00:00:01Z").toEpochMilli() * 1000);
        assertThat(LastSeenRanges.micros("2026-01-01T00:00:01.250")).isEqualTo(Instant.parse("2026-01-01T00:00:01Z").toEpochMilli() * 1000 + 250_000);
        assertThat(LastSeenRanges.micros(null)).isNull();
        assertThat(LastSeenRanges.micros("yesterday")).isNull();
        assertThat(LastSeenRanges.micros("2026-13-01T00:00:00")).isNull();
    }
}
