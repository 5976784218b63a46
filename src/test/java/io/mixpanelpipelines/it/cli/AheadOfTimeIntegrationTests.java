package io.mixpanelpipelines.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.config.StateStoreLocation;
import io.mixpanelpipelines.simulator.MixpanelSimulator;
import io.mixpanelpipelines.support.ChildJvm;
import io.mixpanelpipelines.support.ExportWorkspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The build's ahead-of-time processed Spring context (pom's {@code process-aot}, {@code AheadOfTime}), in child
 * processes of the real command line on the built classes: the commands that start {@code PipelinesApplication}
 * use it and export, resume and report as the context made at start does; {@code -Dspring.aot.enabled=false},
 * a logging file of the user's (named in {@code SPRING_APPLICATION_JSON}) and the applications it was not made
 * for ({@code check}, even with the switch on) start without it; the logging model it carries still follows the
 * profile chosen at run time. Which context Spring made is read from the context itself ({@code --debug}).
 */
class AheadOfTimeIntegrationTests {

    private static final String PROCESSED = "Spring context made by the build's ahead-of-time processing";
    private static final String AT_START = "Spring context made from its configuration classes at start";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path tmp;

    private ExportWorkspace ws;

    private ChildJvm child(String name, Map<String, String> env, List<String> properties, String... args) throws Exception {
        List<String> props = new ArrayList<>(properties);
        props.add("spring.datasource.url=" + ws.springProperties.get("spring.datasource.url"));
        ChildJvm c = ChildJvm.startWithJvmOptions(tmp, name, env, ChildJvm.QUICK_START, props, args);
        assertThat(c.process.waitFor(120, TimeUnit.SECONDS)).as("%s exits", name).isTrue();
        return c;
    }

    private static MixpanelSimulator simulator(int eventsPerDay) {
        return MixpanelSimulator.builder().eventsPerDay(eventsPerDay).projectId("123456").serviceAccount("u", "s").build()
                .start(0);
    }

    /** The workspace of {@code sim}'s job in {@link #ws}: returns its job file. */
    private String job(MixpanelSimulator sim) throws Exception {
        String url = StateStoreLocation.h2Url(tmp.resolve("state"));
        ws = new ExportWorkspace(tmp, Map.of("spring.datasource.url", url))
                .job(sim.baseUri().toString(), "UTC", ExportWorkspace.serviceAccountAuth(), "daysPerRequest: 1");
        ws.env.putAll(Map.of("IT_SA_USER", "u", "IT_SA_SECRET", "s"));
        return ws.jobFile.toString();
    }

    @Test
    void theProcessedContextExportsResumesAndReportsAsTheContextMadeAtStart() throws Exception {
        try (MixpanelSimulator sim = simulator(200)) {
            String job = job(sim);
            ChildJvm first = child("export-aot", ws.env, List.of(), "--debug", "export", "--job", job,
                    "--from", "2026-01-01", "--to", "2026-01-02");
            assertThat(first.process.exitValue()).as(first.err()).isZero();
            assertThat(first.err()).contains(PROCESSED).doesNotContain(AT_START);
            assertThat(first.out()).contains("2 of 2 day(s) published; 2 request(s) sent");

            // the other way on the same state: a day more, the two published ones neither requested nor rewritten
            ChildJvm second = child("export-classic", ws.env, List.of("spring.aot.enabled=false"), "--debug", "export",
                    "--job", job, "--from", "2026-01-01", "--to", "2026-01-03");
            assertThat(second.process.exitValue()).as(second.err()).isZero();
            assertThat(second.err()).contains(AT_START).doesNotContain(PROCESSED);
            assertThat(second.out()).contains("1 of 1 day(s) published; 1 request(s) sent");
            assertThat(sim.requestCount()).isEqualTo(3);

            ChildJvm processed = child("status-aot", Map.of(), List.of(), "status", "--job", job, "--json");
            assertThat(processed.process.exitValue()).as(processed.err()).isZero();
            // in this JVM, as tests run commands: the context made at start
            assertThat(ws.run("status", "--job", job, "--json")).as(ws.lastErr).isZero();
            ObjectNode a = (ObjectNode) JSON.readTree(processed.out());
            ObjectNode b = (ObjectNode) JSON.readTree(ws.lastOut);
            assertThat(a.get("counts").get("published").asLong()).isEqualTo(3);
            // the budget's next slot moves with the clock; everything else is the state's
            assertThat(a.remove("budget").get("usedLastHour")).isEqualTo(b.remove("budget").get("usedLastHour"));
            assertThat(a).isEqualTo(b);
        }
    }

    @Test
    void aLoggingFileOfTheUsersAndCheckStartWithoutItEvenSwitchedOnAndTheLogsFollowTheProfileOfTheRun() throws Exception {
        try (MixpanelSimulator sim = simulator(50)) {
            String job = job(sim);
            Path logging = tmp.resolve("my-logback.xml");
            Files.writeString(logging, """
                    <configuration>
                      <appender name="E" class="ch.qos.logback.core.ConsoleAppender">
                        <target>System.err</target>
                        <encoder><pattern>MINE %logger{0} %msg%n</pattern></encoder>
                      </appender>
                      <root level="INFO"><appender-ref ref="E"/></root>
                    </configuration>
                    """);
            // named where only Spring's prepared environment sees it, not in a variable or option of its own
            ChildJvm mine = child("plan-logging", Map.of("SPRING_APPLICATION_JSON",
                    JSON.writeValueAsString(Map.of("logging.config", logging.toString()))), List.of(), "--debug", "plan",
                    "--job", job);
            assertThat(mine.process.exitValue()).as(mine.err()).isZero();
            assertThat(mine.err()).contains("MINE CommandContext " + AT_START);

            ChildJvm json = child("plan-json-logs", Map.of("SPRING_PROFILES_ACTIVE", "json-logs"), List.of(), "--debug",
                    "plan", "--job", job);
            assertThat(json.process.exitValue()).as(json.err()).isZero();
            List<String> lines = json.err().lines().filter(l -> l.startsWith("{")).toList();
            assertThat(lines).isNotEmpty();
            assertThat(lines).anySatisfy(l -> assertThat(JSON.readTree(l).get("message").asString()).isEqualTo(PROCESSED));

            // Spring's switch set by the user for the whole JVM: check has no processed context, and starts
            ChildJvm check = child("check", ws.env, List.of("spring.aot.enabled=true"), "check", "--job", job);
            assertThat(check.process.exitValue()).as(check.err() + check.out()).isZero();
            assertThat(check.out()).contains("state store H2 file ").contains(": OK (connected; migrations current");
        }
    }
}
