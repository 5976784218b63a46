package io.mixpanelpipelines.airflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.mixpanelpipelines.support.StaticExportServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local variant of the Airflow DAG, short of Airflow: its task command lines, read from the DAG file, run
 * in the DAG's order through bash with the environment the DAG expects on a worker, by the packaged launcher,
 * against a Mixpanel stand-in and into DuckDB; each exit code is checked against what the DAG does with it.
 * The stand-in serves two good days and one day of malformed lines (FAILED every time: the simulator never
 * serves malformed lines).
 */
class AirflowDagIntegrationTests {

    static final Path DAG = Path.of("jobs/airflow/mixpanel_pipelines_dag.py");
    static final Pattern COMMAND = Pattern.compile("^\\s*\"(\\w+)\": '([^'\\\\]*)',?\\s*$");

    @TempDir
    Path tmp;
    StaticExportServer server;

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
    }

    /** The CLI_COMMANDS block of the DAG file, in its order. */
    static Map<String, String> commands() throws IOException {
        String dag = Files.readString(DAG);
        String block = dag.substring(dag.indexOf("# BEGIN CLI COMMANDS"), dag.indexOf("# END CLI COMMANDS"));
        Map<String, String> commands = new LinkedHashMap<>();
        for (String line : block.lines().toList()) {
            Matcher m = COMMAND.matcher(line);
            if (m.matches()) {
                commands.put(m.group(1), m.group(2));
            }
        }
        return commands;
    }

    static int exitCode(String name) throws IOException {
        Matcher m = Pattern.compile("(?m)^" + name + " = (\\d+)$").matcher(Files.readString(DAG));
        assertThat(m.find()).as(name).isTrue();
        return Integer.parseInt(m.group(1));
    }

    @Test
    void theDagsCommandLinesRunInItsOrderAndEachExitCodeMeansWhatTheDagDoesWithIt() throws Exception {
        Map<String, String> commands = commands();
        assertThat(commands).containsOnlyKeys("export", "load", "published");
        assertThat(new ArrayList<>(commands.keySet())).containsExactly("export", "load", "published");
        assertThat(Files.readString(DAG)).contains("cli_command(task_id: str) -> str:\n    return '\"$MIXPANEL_PIPELINES\" ' + CLI_COMMANDS[task_id]");
        int ok = exitCode("EXIT_OK");
        int failed = exitCode("EXIT_FAILED");
        int invalid = exitCode("EXIT_INVALID");
        int notYet = exitCode("EXIT_DEFERRED");

        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        String good1 = today.minusDays(3).toString();
        String good2 = today.minusDays(2).toString();
        String bad = today.minusDays(1).toString();
        server = new StaticExportServer();
        Map<String, Integer> served = new TreeMap<>();
        for (String day : List.of(good1, good2)) {
            served.put(day, 300 + day.hashCode() % 50);
            server.serve(day, String.join("\n", events(day, served.get(day))) + "\n");
        }
        server.serve(bad, "{\"event\":\"Broken\",\"properties\":{\"time\":\n");
        Path duckdb = tmp.resolve("analytics.duckdb");
        Path job = Files.writeString(tmp.resolve("job.yaml"), """
                name: airflow-events
                mixpanel:
                  projectId: "123456"
                  apiUrl: %s
                  timezone: UTC
                  auth:
                    serviceAccount: {usernameEnv: IT_SA_USER, secretEnv: IT_SA_SECRET}
                export:
                  startDate: -3d
                  daysPerRequest: 1
                  initialBackoff: 10ms
                  maxBackoff: 100ms
                  spoolDir: %s
                destination:
                  uri: %s
                warehouse:
                  type: duckdb
                  url: jdbc:duckdb:%s
                  table: mixpanel.events
                """.formatted(server.baseUri(), tmp.resolve("spool"), tmp.resolve("export").toUri(), duckdb));
        // what the DAG's docstring asks of a worker: the CLI, the job file, the credentials and the state database
        Map<String, String> env = new LinkedHashMap<>();
        env.put("MIXPANEL_PIPELINES", Path.of("target/mixpanel-pipelines").toAbsolutePath().toString());
        env.put("MIXPANEL_PIPELINES_JOB", job.toString());
        env.put("IT_SA_USER", "u");
        env.put("IT_SA_SECRET", "s");
        env.put("SPRING_DATASOURCE_URL", "jdbc:h2:file:" + tmp.resolve("state/db") + ";WRITE_DELAY=0");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("JAVA_OPTS", "-Xmx256m");
        env.put("PATH", System.getenv("PATH"));

        // a downstream DAG's sensor before the export: the day is missing, inside the job's range -> poke again
        assertThat(run(commands.get("published"), good2, env)).isEqualTo(notYet);

        // export (no range: the tool's own plan) -> one day FAILED -> 1: the DAG retries it, then loads anyway
        Run export = run("export", commands.get("export"), null, env);
        assertThat(export.code).as(export.err).isEqualTo(failed);
        assertThat(export.out).contains("FAILED").contains(bad);

        Run load = run("load", commands.get("load"), null, env);
        assertThat(load.code).as(load.err).isEqualTo(ok);
        assertThat(rowsPerDay(duckdb)).isEqualTo(served);

        // the sensor on the run's day: published and loaded -> 0
        assertThat(run(commands.get("published"), good2, env)).isEqualTo(ok);
        // on a FAILED day the DAG's sensor fails at once (exit 1)
        assertThat(run(commands.get("published"), bad, env)).isEqualTo(failed);
        // a day before the job's startDate will never be ready: the sensor fails without a retry (exit 2)
        assertThat(run(commands.get("published"), today.minusDays(30).toString(), env)).isEqualTo(invalid);
        assertThat(invalid).isEqualTo(2);
    }

    private record Run(int code, String out, String err) {
    }

    private int run(String arguments, String ds, Map<String, String> env) throws Exception {
        Run r = run("published-" + ds, arguments, ds, env);
        return r.code;
    }

    /** Runs one task's command as BashOperator / BashSensor does: {@code bash -c}, {{ ds }} rendered. */
    private Run run(String name, String arguments, String ds, Map<String, String> env) throws Exception {
        String command = "\"$MIXPANEL_PIPELINES\" " + (ds == null ? arguments : arguments.replace("{{ ds }}", ds));
        assertThat(command).doesNotContain("{{");
        Path out = tmp.resolve(name + "-" + System.nanoTime() + ".out");
        Path err = tmp.resolve(name + "-" + System.nanoTime() + ".err");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", command).directory(tmp.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).as(command).isTrue();
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    static List<String> events(String day, int n) {
        long t0 = LocalDate.parse(day).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            lines.add("{\"event\":\"E" + (i % 3) + "\",\"properties\":{\"time\":" + (t0 + i * 60_000L) + ",\"distinct_id\":\"u" + i
                    + "\",\"$insert_id\":\"" + day + "-" + i + "\"}}");
        }
        return lines;
    }

    static Map<String, Integer> rowsPerDay(Path duckdb) throws Exception {
        Map<String, Integer> rows = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + duckdb); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT CAST(event_date AS VARCHAR), count(*) FROM mixpanel.events GROUP BY 1")) {
            while (rs.next()) {
                rows.put(rs.getString(1), rs.getInt(2));
            }
        }
        return rows;
    }
}
