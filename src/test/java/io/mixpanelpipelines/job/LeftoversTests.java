package io.mixpanelpipelines.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.config.JobDefinitionLoader;
import io.mixpanelpipelines.job.day.DaySpools;
import io.mixpanelpipelines.source.SpoolStore;
import io.mixpanelpipelines.state.jdbc.JdbcPartitionLedger;
import io.mixpanelpipelines.support.TestStateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a run leaves of its days' spools, against a real state store (H2): a published day's spool and its
 * slices' spools go after the run, also when only the slices' folder is left (a sliced day converts from its
 * slices and has no spool folder of its own: a run killed once it was published, before deleting them, left
 * only theirs); a day the run failed or deferred keeps them, and so does a day not published.
 */
class LeftoversTests {

    static final LocalDate DAY = LocalDate.parse("2026-01-05");

    @TempDir
    Path tmp;

    @Test
    void aPublishedDaysSlicesAreDeletedEvenWithoutTheDaysOwnSpoolFolder() throws Exception {
        JobDefinition job = new JobDefinitionLoader().parse("""
                name: left
                mixpanel:
                  projectId: "1"
                  auth:
                    serviceAccount:
                      usernameEnv: SA_USER
                      secretEnv: SA_SECRET
                export:
                  startDate: 2026-01-01
                  spoolDir: %s
                destination:
                  uri: %s
                """.formatted(tmp.resolve("spool"), tmp.resolve("out")));
        DataSource ds = TestStateStore.empty("h2", tmp);
        TestStateStore.flyway(ds, "h2").migrate();
        JdbcPartitionLedger ledger = new JdbcPartitionLedger(ds);
        DaySpools spools = new DaySpools(job, new SpoolStore(job.export().spoolDir(), job.name()));
        Leftovers leftovers = new Leftovers(job, spools, null, null, ledger);
        LocalDate other = DAY.plusDays(1);
        LocalDate failed = DAY.plusDays(2);
        Path slices = sliceSpool(DAY);
        Path otherSlices = sliceSpool(other);
        Path failedSlices = sliceSpool(failed);
        ledger.published("left", DAY, "r1", 10, 1, 100, 0, 100, "10:abc");
        ledger.started("left", other, "r1"); // not published
        ledger.published("left", failed, "r1", 10, 1, 100, 0, 100, "10:abc");
        RunOutcomes outcomes = new RunOutcomes();
        outcomes.put(failed, DayStepListener.DEFERRED);

        leftovers.afterRun(List.of(DAY, other, failed), outcomes);

        assertThat(slices.getParent().getParent()).as("the published day's slices' folder").doesNotExist();
        assertThat(otherSlices).as("a day not published keeps its slices' spools").exists();
        assertThat(failedSlices).as("a day the run deferred keeps its slices' spools").exists();
    }

    /** A slice's spool file in the day's slices' folder, {@code <spool>/<job>/<day>_<day>.slices/<slice>/}. */
    private Path sliceSpool(LocalDate day) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("spool/left").resolve(day + "_" + day + ".slices")
                .resolve(day + "T00-03_1"));
        return Files.writeString(dir.resolve("body.gz"), "spooled");
    }
}
