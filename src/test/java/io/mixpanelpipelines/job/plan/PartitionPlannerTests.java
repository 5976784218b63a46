package io.mixpanelpipelines.job.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.config.JobDefinitionLoader;
import io.mixpanelpipelines.state.PartitionRecord;
import io.mixpanelpipelines.state.PartitionState;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PartitionPlannerTests {

    static final LocalDate YESTERDAY = LocalDate.parse("2026-03-10");

    static JobDefinition.Export settings(String... exportLines) {
        StringBuilder y = new StringBuilder("name: p\nmixpanel:\n  projectId: \"1\"\n  auth:\n    projectSecretEnv: S\n"
                + "export:\n  startDate: 2026-01-01\n");
        for (String l : exportLines) {
            y.append("  ").append(l).append('\n');
        }
        y.append("destination:\n  uri: /tmp/x\n");
        return new JobDefinitionLoader().parse(y.toString()).export();
    }

    static PartitionRecord record(LocalDate day, PartitionState state, long sourceBytes) {
        return new PartitionRecord("p", day, state, 10, 1, 100, 0, 1, null, "r", Instant.EPOCH, Instant.EPOCH, sourceBytes,
                "10:abc");
    }

    static List<PartitionRecord> published(LocalDate from, LocalDate to, long bytes) {
        List<PartitionRecord> r = new ArrayList<>();
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
            r.add(record(d, PartitionState.PUBLISHED, bytes));
        }
        return r;
    }

    @Test
    void aSixtyDayBackfillWithNothingKnownTakesTwoRequestsNewestFirst() {
        List<RequestWindow> plan = new PartitionPlanner(settings()).plan(YESTERDAY.minusDays(59), YESTERDAY, List.of());

        assertThat(plan).extracting(RequestWindow::label)
                .containsExactly("2026-02-08..2026-03-10", "2026-01-10..2026-02-07");
        assertThat(plan).allMatch(w -> w.kind() == RequestWindow.Kind.BACKFILL);
        assertThat(plan.get(0).size()).isEqualTo(31);
    }

    @Test
    void aDailyRunFetchesTheNewDayAndTheLookbackInOneRequest() {
        List<PartitionRecord> ledger = published(LocalDate.parse("2026-01-01"), YESTERDAY.minusDays(1), 1_000_000);

        List<RequestWindow> plan = new PartitionPlanner(settings()).plan(LocalDate.parse("2026-01-01"), YESTERDAY, ledger);

        assertThat(plan).singleElement().satisfies(w -> {
            assertThat(w.label()).isEqualTo("2026-03-05..2026-03-10");
            assertThat(w.kind()).isEqualTo(RequestWindow.Kind.NEW);
            assertThat(w.estimatedBytes()).isEqualTo(6_000_000);
        });
    }

    @Test
    void withNothingNewTheLookbackIsStillFetched() {
        List<PartitionRecord> ledger = published(LocalDate.parse("2026-01-01"), YESTERDAY, 1_000);

        List<RequestWindow> plan = new PartitionPlanner(settings("lookbackDays: 3")).plan(LocalDate.parse("2026-01-01"),
                YESTERDAY, ledger);

        assertThat(plan).singleElement().satisfies(w -> {
            assertThat(w.label()).isEqualTo("2026-03-08..2026-03-10");
            assertThat(w.kind()).isEqualTo(RequestWindow.Kind.LOOKBACK);
        });
    }

    @Test
    void aLookbackDayFetchedWithinTheIntervalIsNotFetchedAgain() {
        List<PartitionRecord> ledger = new ArrayList<>();
        Instant now = Instant.parse("2026-03-11T10:00:00Z");
        for (LocalDate d = LocalDate.parse("2026-03-01"); !d.isAfter(YESTERDAY); d = d.plusDays(1)) {
            // the last three days were fetched an hour ago, the others two days ago
            Instant fetched = d.isAfter(YESTERDAY.minusDays(3)) ? now.minusSeconds(3600) : now.minusSeconds(2 * 86400);
            ledger.add(new PartitionRecord("p", d, PartitionState.PUBLISHED, 10, 1, 100, 0, 1, null, "r", fetched, fetched,
                    100, "10:abc"));
        }
        PartitionPlanner planner = new PartitionPlanner(settings("lookbackInterval: 12h"));

        assertThat(planner.plan(LocalDate.parse("2026-03-01"), YESTERDAY, ledger, now)).extracting(RequestWindow::label)
                .as("an hourly run re-fetches only what was not fetched in the last 12 h")
                .containsExactly("2026-03-06..2026-03-07");
        assertThat(planner.plan(LocalDate.parse("2026-03-01"), YESTERDAY, ledger, now.plusSeconds(12 * 3600)))
                .extracting(RequestWindow::label).containsExactly("2026-03-06..2026-03-10");
    }

    @Test
    void rerunsComeFirstThenNewDaysThenTheBackfillNewestFirst() {
        List<PartitionRecord> ledger = new ArrayList<>(published(LocalDate.parse("2026-03-01"), LocalDate.parse("2026-03-08"), 100));
        ledger.set(2, record(LocalDate.parse("2026-03-03"), PartitionState.RERUN_REQUESTED, 100));
        ledger.add(record(LocalDate.parse("2026-02-20"), PartitionState.FAILED, 0));

        List<RequestWindow> plan = new PartitionPlanner(settings("lookbackDays: 0", "daysPerRequest: 5"))
                .plan(LocalDate.parse("2026-02-18"), YESTERDAY, ledger);

        assertThat(plan).extracting(w -> w.kind() + " " + w.label()).containsExactly(
                "RERUN 2026-03-03",
                "NEW 2026-03-09..2026-03-10",
                "BACKFILL 2026-02-24..2026-02-28",
                "BACKFILL 2026-02-19..2026-02-23",
                "BACKFILL 2026-02-18");
    }

    @Test
    void oneDayPerRequestWhenConfigured() {
        List<RequestWindow> plan = new PartitionPlanner(settings("daysPerRequest: 1"))
                .plan(YESTERDAY.minusDays(2), YESTERDAY, List.of());

        assertThat(plan).extracting(RequestWindow::label).containsExactly("2026-03-10", "2026-03-09", "2026-03-08");
    }

    @Test
    void adaptiveRequestsAreSizedFromTheDaysSeenSoFar() {
        List<PartitionRecord> ledger = published(LocalDate.parse("2026-02-01"), LocalDate.parse("2026-02-10"), 700L << 20);

        PartitionPlanner planner = new PartitionPlanner(settings("maxRequestSize: 2GB"));

        assertThat(planner.daysPerRequest(ledger)).isEqualTo(2);
        assertThat(planner.daysPerRequest(published(LocalDate.parse("2026-02-01"), LocalDate.parse("2026-02-10"), 5L << 30)))
                .as("a day larger than the target still gets a request of its own").isEqualTo(1);
        assertThat(planner.daysPerRequest(List.of())).isEqualTo(31);
    }

    @Test
    void aRangeSkipsPublishedDaysUnlessReplacing() {
        List<PartitionRecord> ledger = published(LocalDate.parse("2026-03-02"), LocalDate.parse("2026-03-03"), 100);
        PartitionPlanner planner = new PartitionPlanner(settings());

        assertThat(planner.planRange(LocalDate.parse("2026-03-01"), LocalDate.parse("2026-03-05"), ledger, false))
                .extracting(RequestWindow::label).containsExactly("2026-03-04..2026-03-05", "2026-03-01");
        assertThat(planner.planRange(LocalDate.parse("2026-03-01"), LocalDate.parse("2026-03-05"), ledger, true))
                .extracting(RequestWindow::label).containsExactly("2026-03-01..2026-03-05");
    }

    @Test
    void daysAcrossADstChangeAreWholeCalendarDaysOfTheProjectTimezone() {
        // 2026-03-08 has 23 hours in America/New_York: it is still one day, planned once
        List<RequestWindow> plan = new PartitionPlanner(settings("daysPerRequest: 2"))
                .planRange(LocalDate.parse("2026-03-07"), LocalDate.parse("2026-03-09"), List.of(), false);

        assertThat(plan).extracting(RequestWindow::label).containsExactly("2026-03-08..2026-03-09", "2026-03-07");
        assertThat(plan.stream().mapToInt(RequestWindow::size).sum()).isEqualTo(3);
    }

    @Test
    void windowsSurviveTheirJobParameterEncoding() {
        List<RequestWindow> plan = new PartitionPlanner(settings("daysPerRequest: 2")).plan(YESTERDAY.minusDays(4), YESTERDAY, List.of());

        assertThat(RequestWindow.decode(RequestWindow.encode(plan))).extracting(RequestWindow::label)
                .containsExactly("2026-03-09..2026-03-10", "2026-03-07..2026-03-08", "2026-03-06");
    }

    @Test
    void aRerunOfConsecutiveDaysSharesRequestsUpToDaysPerRequest() {
        List<PartitionRecord> ledger = published(LocalDate.parse("2026-03-01"), YESTERDAY, 1_000_000);
        List<LocalDate> days = List.of(LocalDate.parse("2026-03-07"), LocalDate.parse("2026-03-01"),
                LocalDate.parse("2026-03-02"), LocalDate.parse("2026-03-03"));

        List<RequestWindow> plan = new PartitionPlanner(settings("daysPerRequest: 2")).planRerun(days, ledger);

        assertThat(plan).extracting(RequestWindow::label)
                .containsExactly("2026-03-07", "2026-03-02..2026-03-03", "2026-03-01");
        assertThat(plan).allMatch(w -> w.kind() == RequestWindow.Kind.RERUN);
        assertThat(new PartitionPlanner(settings()).planRerun(days, ledger)).extracting(RequestWindow::label)
                .containsExactly("2026-03-07", "2026-03-01..2026-03-03");
    }

    @Test
    void sliceHoursSlicesEveryDayEachInAWindowOfItsOwn() {
        List<RequestWindow> plan = new PartitionPlanner(settings("sliceHours: 3")).planRange(
                LocalDate.parse("2026-03-07"), LocalDate.parse("2026-03-09"), List.of(), false);

        assertThat(plan).extracting(RequestWindow::label)
                .containsExactly("2026-03-09/3h", "2026-03-08/3h", "2026-03-07/3h");
        assertThat(plan).allMatch(w -> w.requests(java.time.ZoneId.of("UTC")) == 8);
    }

    @Test
    void aDayExpectedBeyondMaxRequestSizeIsSlicedInTheLongestSlicesThatKeepEachWithinIt() {
        // days of 1,000,000 bytes with a limit of 300,000: 4 slices, so 6 h; a day once seen at 3,000,000
        // (a big lookback day) takes 10, so 2 h (12 slices); one seen at 200,000 stays one request
        List<PartitionRecord> ledger = new ArrayList<>(published(LocalDate.parse("2026-02-20"), YESTERDAY.minusDays(3), 1_000_000));
        ledger.add(record(YESTERDAY.minusDays(2), PartitionState.PUBLISHED, 3_000_000));
        ledger.add(record(YESTERDAY.minusDays(1), PartitionState.PUBLISHED, 200_000));
        PartitionPlanner planner = new PartitionPlanner(settings("maxRequestSize: 300000B", "lookbackDays: 2",
                "daysPerRequest: 5"));

        List<RequestWindow> plan = planner.plan(LocalDate.parse("2026-02-20"), YESTERDAY, ledger);

        assertThat(plan).extracting(RequestWindow::label)
                .containsExactly("2026-03-10/6h", "2026-03-09", "2026-03-08/2h");
        assertThat(plan.get(0).estimatedBytes()).isEqualTo(PartitionPlanner.averageDayBytes(ledger));
        assertThat(plan.get(2).estimatedBytes()).isEqualTo(3_000_000);
        assertThat(plan.get(2).kind()).isEqualTo(RequestWindow.Kind.LOOKBACK);
    }

    @Test
    void aDayTooBigForTwentyFourSlicesIsSlicedByTheHour() {
        List<PartitionRecord> ledger = published(LocalDate.parse("2026-03-01"), YESTERDAY.minusDays(1), 100_000_000);
        PartitionPlanner planner = new PartitionPlanner(settings("maxRequestSize: 1MB", "lookbackDays: 0"));

        assertThat(planner.plan(LocalDate.parse("2026-03-01"), YESTERDAY, ledger)).extracting(RequestWindow::label)
                .containsExactly("2026-03-10/1h");
    }
}
