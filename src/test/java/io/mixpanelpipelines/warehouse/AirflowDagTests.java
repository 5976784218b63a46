package io.mixpanelpipelines.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Airflow cannot run here: the example DAG is at least compiled by Python, and its contract with the CLI checked. */
class AirflowDagTests {

    static final Path DAG = Path.of("jobs/airflow/mixpanel_pipelines_dag.py");

    @TempDir
    Path tmp;

    @Test
    void theDagCompiles() throws Exception {
        Process probe;
        try {
            probe = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            probe = null;
        }
        assumeTrue(probe != null && probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0,
                "python3 is not installed: the Airflow DAG was NOT compile-checked");
        Process p = new ProcessBuilder("python3", "-c", "import py_compile,sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)",
                DAG.toString(), tmp.resolve("dag.pyc").toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
    }

    @Test
    void theDagUsesTheCommandsExitCodesAndSummaryTheCliHas() throws Exception {
        String dag = Files.readString(DAG);

        assertThat(dag).contains("EXIT_DEFERRED = 75").contains("EXIT_INVALID = 2").contains("AirflowFailException")
                .contains("\"--summary-json\"").contains("\"--no-load\"").contains("{{ ds }}")
                .contains("KubernetesPodOperator").contains("do_xcom_push=True");
    }
}
