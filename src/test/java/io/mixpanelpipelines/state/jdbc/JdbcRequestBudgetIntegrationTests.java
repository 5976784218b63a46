package io.mixpanelpipelines.state.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mixpanelpipelines.source.ExportRequest;
import io.mixpanelpipelines.source.RequestBudgetExhaustedException;
import io.mixpanelpipelines.source.Sleeper;
import io.mixpanelpipelines.support.TestStateStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shared request budget on both state stores, with an injected clock (no test sleeps for real): the
 * sliding hour, the per-second limit, and many threads racing for the last slots.
 */
class JdbcRequestBudgetIntegrationTests {

    static final ExportRequest REQUEST = ExportRequest.days(LocalDate.parse("2026-01-01"), LocalDate.parse("2026-01-01"), true);

    @TempDir
    Path tmp;

    DataSource database(String kind) throws Exception {
        DataSource ds = TestStateStore.empty(kind, tmp);
        TestStateStore.flyway(ds, kind).migrate();
        return ds;
    }

    /** A clock that only moves when the budget "sleeps". */
    static final class FakeTime extends Clock implements Sleeper {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-05-01T10:00:00Z"));

        @Override
        public void sleep(Duration d) {
            now.accumulateAndGet(null, (t, x) -> t.plus(d));
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    static JdbcRequestBudget budget(DataSource ds, FakeTime time, String job, int perHour, int perSecond) {
        return new JdbcRequestBudget(ds, "us:42", job, job + "-run", new JdbcRequestBudget.Limits(perHour, perSecond, 100),
                time, time);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void theHourSlidesAndAFullBudgetSaysWhenTheNextSlotIs(String kind) throws Exception {
        DataSource ds = database(kind);
        FakeTime time = new FakeTime();
        JdbcRequestBudget budget = budget(ds, time, "a", 3, 3);
        Instant start = time.instant();

        for (int i = 0; i < 3; i++) {
            budget.completed(budget.beforeSend(REQUEST, 1), 429, "http-429", 0);
            time.sleep(Duration.ofMinutes(10));
        }

        assertThatThrownBy(() -> budget.beforeSend(REQUEST, 1)).isInstanceOf(RequestBudgetExhaustedException.class)
                .hasMessageContaining("export.requestsPerHour")
                .satisfies(e -> assertThat(((RequestBudgetExhaustedException) e).nextSlotAt()).isEqualTo(start.plus(Duration.ofHours(1))));
        assertThat(budget.status().remaining()).isZero();
        time.now.set(start.plus(Duration.ofHours(1)).plusMillis(1));
        assertThat(budget.status().remaining()).isEqualTo(1);
        budget.beforeSend(REQUEST, 1);
        assertThat(budget(ds, time, "other-job", 3, 3).status().usedLastHour()).as("shared by every job of the project").isEqualTo(3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aSpentBudgetNamesTheProjectAndRegionNotItsInternalKey(String kind) throws Exception {
        DataSource ds = database(kind);
        FakeTime time = new FakeTime();
        JdbcRequestBudget query = new JdbcRequestBudget(JdbcRequestBudget.Api.QUERY, ds, "us:123456", "a", "a-run",
                new JdbcRequestBudget.Limits(1, 1, 1), time, time, new io.mixpanelpipelines.state.StateStoreRetry("(test)", Duration.ZERO, time));
        query.beforeSend(REQUEST, 1);

        assertThatThrownBy(() -> query.beforeSend(REQUEST, 1)).isInstanceOf(RequestBudgetExhaustedException.class)
                .hasMessageStartingWith("the Query API budget of project 123456 (us) (1 requests per hour, people.requestsPerHour)")
                .hasMessageNotContaining("query:");
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void theNextSlotCountsTheRequestsARunIsAboutToSend(String kind) throws Exception {
        DataSource ds = database(kind);
        FakeTime time = new FakeTime();
        JdbcRequestBudget budget = budget(ds, time, "a", 4, 2);
        Instant first = time.instant();
        budget.beforeSend(REQUEST, 1);
        time.sleep(Duration.ofMinutes(10));
        budget.beforeSend(REQUEST, 1);
        time.sleep(Duration.ofMinutes(10));
        Instant now = time.instant();

        assertThat(budget.nextSlotAt(0)).as("two of four left").isEqualTo(now);
        assertThat(budget.status().nextSlotAt()).isEqualTo(now);
        assertThat(budget.nextSlotAt(1)).as("one left after it: the per-second limit is not reached").isEqualTo(now);
        assertThat(budget.nextSlotAt(2)).as("the hour is full: its oldest request leaves it")
                .isEqualTo(first.plus(Duration.ofHours(1)));
        assertThat(budget.nextSlotAt(3)).isEqualTo(first.plus(Duration.ofMinutes(10)).plus(Duration.ofHours(1)));
        assertThat(budget.nextSlotAt(4)).as("then the first of those sent now").isEqualTo(now.plus(Duration.ofHours(1)));

        budget.beforeSend(REQUEST, 1);
        assertThat(budget.nextSlotAt(0)).as("one left in the hour, one in this second").isEqualTo(now);
        assertThat(budget.nextSlotAt(1)).isEqualTo(first.plus(Duration.ofHours(1)));
        JdbcRequestBudget wide = budget(ds, time, "b", 50, 2);
        assertThat(wide.nextSlotAt(1)).as("the second is full: it ends").isEqualTo(now.plus(Duration.ofSeconds(1)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void threeRequestsASecondAtMost(String kind) throws Exception {
        DataSource ds = database(kind);
        FakeTime time = new FakeTime();
        JdbcRequestBudget budget = budget(ds, time, "a", 50, 3);
        List<Instant> sent = new ArrayList<>();

        for (int i = 0; i < 9; i++) {
            budget.beforeSend(REQUEST, 1);
            sent.add(time.instant());
        }

        for (int i = 3; i < sent.size(); i++) {
            assertThat(Duration.between(sent.get(i - 3), sent.get(i))).as("request %d", i).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void threadsRacingForTheLastSlotsNeverExceedTheBudget(String kind) throws Exception {
        DataSource ds = database(kind);
        FakeTime time = new FakeTime();
        int perHour = 7;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        ConcurrentLinkedQueue<Long> granted = new ConcurrentLinkedQueue<>();
        AtomicInteger refused = new AtomicInteger();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            JdbcRequestBudget budget = budget(ds, time, "job-" + t, perHour, 50);
            futures.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < 3; i++) {
                    try {
                        granted.add(budget.beforeSend(REQUEST, 1));
                    } catch (RequestBudgetExhaustedException e) {
                        refused.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        assertThat(granted).hasSize(perHour).doesNotHaveDuplicates();
        assertThat(refused.get()).isEqualTo(24 - perHour);
    }
}
