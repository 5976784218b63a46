package io.mixpanelpipelines.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.simulator.MixpanelSimulator;
import io.mixpanelpipelines.support.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One state, wherever you stand: {@code export}, then {@code status} and {@code plan}, each a separate JVM
 * started in its own working directory with the job file given by absolute path, see one state store (the
 * H2 database in the job file's folder), one budget and one dataset; no working directory gets a
 * {@code data/} of its own.
 */
class OneStateIntegrationTests {

    @TempDir
    Path tmp;
    MixpanelSimulator sim;

    @BeforeEach
    void startSimulator() throws Exception {
        sim = MixpanelSimulator.builder().eventsPerDay(100).projectId("123456").serviceAccount("u", "s").build().start(0);
    }

    @AfterEach
    void stopSimulator() {
        sim.close();
    }

    @Test
    void exportStatusAndPlanFromThreeWorkingDirectoriesSeeOneState() throws Exception {
        LocalDate from = LocalDate.now(ZoneOffset.UTC).minusDays(4);
        LocalDate to = from.plusDays(1);
        Path jobs = Files.createDirectories(tmp.resolve("jobs"));
        Path job = Files.writeString(jobs.resolve("one-state.yaml"), """
                name: one-state
                mixpanel:
                  projectId: "123456"
                  apiUrl: %s
                  auth:
                    serviceAccount:
                      usernameEnv: IT_SA_USER
                      secretEnv: IT_SA_SECRET
                export:
                  startDate: %s
                  daysPerRequest: 1
                  spoolDir: spool
                destination:
                  uri: out
                """.formatted(sim.baseUri(), from));
        String jobPath = job.toAbsolutePath().toString();
        String range = from + "";

        String export = run("a", "export", "--job", jobPath, "--from", range, "--to", to.toString());
        String state = "State: H2 file " + jobs.resolve("data/state/pipelines.mv.db");
        assertThat(export).contains(state).contains("2 of 2 day(s) published");
        assertThat(sim.requestCount()).isEqualTo(2);

        // status and plan at once (both read-only): two more JVMs, half the wait
        ChildJvm statusJvm = start("b", "status", "--job", jobPath);
        ChildJvm planJvm = start("c", "plan", "--job", jobPath, "--from", range, "--to", to.toString());
        String status = finish(statusJvm);
        String plan = finish(planJvm);
        assertThat(status).contains(state)
                .contains(from + "  PUBLISHED").contains(to + "  PUBLISHED")
                .contains("one-state: 2 partition(s); 2 export request(s) sent for this project in the last hour")
                .contains("Budget: 48 of 50 export requests left this hour");

        assertThat(plan).contains("this run would send 0 request(s)").contains("Budget: 48 of 50 export requests left this hour");
        assertThat(sim.requestCount()).as("status and plan spend no request").isEqualTo(2);

        assertThat(jobs.resolve("out")).as("the dataset is beside the job file").isDirectory();
        assertThat(Files.list(jobs.resolve("out")).toList()).isNotEmpty();
        for (String dir : List.of("a", "b", "c")) {
            assertThat(tmp.resolve(dir).resolve("data")).as("no state, spool or data in working directory " + dir).doesNotExist();
            assertThat(tmp.resolve(dir).resolve("out")).doesNotExist();
        }
    }

    /** Runs one command in a fresh JVM in {@code tmp/<dir>}; returns its stdout, asserting it exits 0. */
    private String run(String dir, String... args) throws Exception {
        return finish(start(dir, args));
    }

    private ChildJvm start(String dir, String... args) throws Exception {
        Path wd = Files.createDirectories(tmp.resolve(dir));
        // a child without JVM options runs with ChildJvm.QUICK_START: these are short commands
        return ChildJvm.start(wd, args[0], Map.of("IT_SA_USER", "u", "IT_SA_SECRET", "s"), List.of(), args);
    }

    private static String finish(ChildJvm jvm) throws Exception {
        assertThat(jvm.process.waitFor(90, TimeUnit.SECONDS)).as("finishes").isTrue();
        assertThat(jvm.process.exitValue()).as(jvm.out() + jvm.err()).isZero();
        return jvm.out();
    }
}
