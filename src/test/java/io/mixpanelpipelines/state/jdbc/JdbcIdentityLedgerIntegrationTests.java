package io.mixpanelpipelines.state.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.state.IdentityRecord;
import io.mixpanelpipelines.state.PartitionRecord;
import io.mixpanelpipelines.state.PartitionState;
import io.mixpanelpipelines.support.TestStateStore;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import javax.sql.DataSource;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The identity ledger (V40) on both state stores: a day recorded, replaced, listed by job, and "current" per events content. */
class JdbcIdentityLedgerIntegrationTests {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aDayIsRecordedReplacedAndComparedWithItsEvents(String vendor) {
        DataSource ds = TestStateStore.empty(vendor, tmp);
        TestStateStore.flyway(ds, vendor).migrate();
        JdbcIdentityLedger ledger = new JdbcIdentityLedger(ds);
        LocalDate d1 = LocalDate.parse("2026-02-01");
        Instant at = Instant.parse("2026-02-02T06:00:00.123456Z");

        ledger.published(new IdentityRecord("job-a", d1, "10:aaaa", 7, at));
        ledger.published(new IdentityRecord("job-a", d1.plusDays(1), "run-r1", 3, at));
        ledger.published(new IdentityRecord("job-b", d1, "10:bbbb", 1, at));
        ledger.published(new IdentityRecord("job-a", d1, "12:cccc", 9, at.plusSeconds(60))); // the day again

        assertThat(ledger.list("job-a")).containsExactly(new IdentityRecord("job-a", d1, "12:cccc", 9, at.plusSeconds(60)),
                new IdentityRecord("job-a", d1.plusDays(1), "run-r1", 3, at));
        assertThat(ledger.find("job-b", d1)).hasValueSatisfying(r -> assertThat(r.rows()).isEqualTo(1));
        assertThat(ledger.find("job-b", d1.plusDays(1))).isEmpty();

        IdentityRecord r = ledger.find("job-a", d1).orElseThrow();
        assertThat(r.isCurrentFor(events(d1, "12:cccc", "r2"))).isTrue();
        assertThat(r.isCurrentFor(events(d1, "10:aaaa", "r2"))).as("the events changed since").isFalse();
        assertThat(ledger.find("job-a", d1.plusDays(1)).orElseThrow().isCurrentFor(events(d1.plusDays(1), null, "r1")))
                .as("a day published without a content hash: by its run").isTrue();
    }

    private static PartitionRecord events(LocalDate day, String contentHash, String runId) {
        return new PartitionRecord("job-a", day, PartitionState.PUBLISHED, 1, 1, 1, 0, 1, null, runId, Instant.now(),
                Instant.now(), 1, contentHash);
    }
}
