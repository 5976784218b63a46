package io.mixpanelpipelines.it.remote;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.simulator.Fault;
import io.mixpanelpipelines.storage.s3.S3ProxyServer;
import io.mixpanelpipelines.support.ChildJvm;
import io.mixpanelpipelines.support.ParquetAssertions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Issue 14's remote partitions that are day slices: with {@code export.workers: remote} and sliced days, the
 * manager fetches nothing; each slice is a partition a worker fetches (charging the one budget) into a spool
 * shared in S3 and converts; the last slice staged assembles its day. A worker killed mid-slice leaves its
 * slice to the other, which resumes it from its checkpoint without a request; a worker stopped by SIGTERM
 * finishes (or gives back) the slice it runs; a slice failing on a worker makes the manager say which.
 */
class RemoteSlicesIntegrationTests extends RemoteWorkersFixture {

    private static String stderrOf(ChildJvm... children) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (ChildJvm c : children) {
            sb.append(c.err());
        }
        return sb.toString();
    }

    @Test
    void theWorkersFetchAndConvertTheSlicesOfTheDays() throws Exception {
        setUp(4_000, "sliceHours: 12", "requestsPerHour: 60");
        ChildJvm a = worker("worker-a");
        ChildJvm b = worker("worker-b");
        awaitWorkers(a, b);

        ChildJvm manager = manager();
        assertThat(manager.process.waitFor(120, TimeUnit.SECONDS)).as("manager finished").isTrue();
        assertThat(manager.process.exitValue()).as(manager.err()).isZero();
        assertThat(manager.out()).contains("6 of 6 day(s) published; 12 request(s) sent to Mixpanel");

        Map<String, String> by = completedBy();
        assertThat(by).as("every slice ran to completion on a worker").hasSize(2 * DAYS)
                .allSatisfy((partition, worker) -> assertThat(partition).startsWith("slice="));
        assertThat(by.values()).as("both workers ran slices: " + by).contains("worker-a", "worker-b");
        assertThat(sim.requestCount()).as("one request per slice").isEqualTo(2 * DAYS);
        assertThat(sim.requests()).allSatisfy(r -> assertThat(r.params().get("where")).isNotNull());
        assertThat(db.queryForObject("SELECT COUNT(*) FROM mp_request_log", Integer.class))
                .as("every request charged to the one budget").isEqualTo(2 * DAYS);
        assertThat(manager.err()).as("the manager fetches no slice").doesNotContain("fetching the slice");
        assertThat(stderrOf(a, b).split("fetching the slice", -1)).as("the workers fetch every slice").hasSize(2 * DAYS + 1);
        ParquetAssertions.assertExactly(ws.events(), expected());
        ParquetAssertions.assertFoldersMatchManifests(ws.events(), expected().keySet());
        try (S3Client s3 = S3ProxyServer.client(S3ProxyServer.get().endpoint())) {
            assertThat(s3.listObjectsV2(r -> r.bucket(bucket)).contents()).as("published days' shared slice spools deleted")
                    .isEmpty();
        }
    }

    @Test
    void aWorkerKilledMidSliceLeavesItToTheOtherWhichResumesItWithoutARequest() throws Exception {
        // 2 days of 2 slices of 10,000 events: the first commit (2 MB of lines, about 2,500) saves the end of the first closed part, so a
        // worker is caught with most of its slice to go
        setUp(20_000, "sliceHours: 12", "requestsPerHour: 20");
        ChildJvm a = worker("worker-a");
        ChildJvm b = worker("worker-b");
        awaitWorkers(a, b);
        ChildJvm manager = manager(2);

        String killed = awaitCheckpointedPartition("worker-b", manager);
        b.process.destroyForcibly(); // SIGKILL: no shutdown hook, no deregistration
        b.process.waitFor(30, TimeUnit.SECONDS);

        assertThat(manager.process.waitFor(120, TimeUnit.SECONDS)).as("manager finished").isTrue();
        assertThat(manager.process.exitValue()).as(manager.err()).isZero();
        assertThat(manager.err()).contains("taken from dead workers");
        assertThat(killed).startsWith("slice=");
        assertThat(sim.requestCount()).as("one request per slice; none for the slice spooled before the kill").isEqualTo(4);
        assertThat(completedBy()).hasSize(4).containsEntry(killed, "worker-a");
        assertThat(a.err()).contains(killed.substring("slice=".length()) + ": resuming after");
        ParquetAssertions.assertExactly(ws.events(), expected(2));
        ParquetAssertions.assertFoldersMatchManifests(ws.events(), expected(2).keySet());
    }

    @Test
    void aSliceStoppedBySigtermIsFinishedExactly() throws Exception {
        setUp(20_000, "sliceHours: 12", "requestsPerHour: 20");
        ChildJvm a = worker("worker-a");
        ChildJvm b = worker("worker-b");
        awaitWorkers(a, b);
        ChildJvm manager = manager(2);

        String running = awaitCheckpointedPartition("worker-b", manager);
        b.process.destroy(); // SIGTERM: the worker takes no new slice; the one it runs is finished or given back
        assertThat(b.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(b.process.exitValue()).as(b.err()).isIn(0, 143);

        assertThat(manager.process.waitFor(120, TimeUnit.SECONDS)).as("manager finished").isTrue();
        assertThat(manager.process.exitValue()).as(manager.err()).isZero();
        assertThat(completedBy()).as("the slice in flight at the signal completed once").hasSize(4).containsKey(running);
        assertThat(sim.requestCount()).as("no slice requested twice").isEqualTo(4);
        ParquetAssertions.assertExactly(ws.events(), expected(2));
        ParquetAssertions.assertFoldersMatchManifests(ws.events(), expected(2).keySet());
    }

    @Test
    void aSliceFailingOnAWorkerMakesTheManagerNameItAndFail() throws Exception {
        setUp(2_000, "sliceHours: 12", "maxAttempts: 1");
        sim.faults().enqueue(Fault.status(400)); // Mixpanel refuses the first slice's request: no retry fixes it
        ChildJvm a = worker("worker-a");
        awaitWorkers(a);

        ChildJvm manager = manager(1);
        assertThat(manager.process.waitFor(90, TimeUnit.SECONDS)).as("manager finished").isTrue();
        assertThat(manager.process.exitValue()).as(manager.err()).isNotZero();
        List<String> errors = manager.err().lines().filter(l -> l.startsWith("error: ")).toList();
        assertThat(errors).as(manager.err()).hasSize(1);
        assertThat(errors.get(0)).startsWith("error: " + FIRST + ": slice " + FIRST + "T");
        assertThat(manager.out()).contains(FIRST + "  FAILED");
    }
}
