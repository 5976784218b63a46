package io.mixpanelpipelines.airflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Airflow cannot run here: the example DAG is compiled by Python and its contract with the CLI checked; its
 * command lines are run by {@link AirflowDagIntegrationTests}.
 */
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

    /**
     * The DAG file's own code (exit-code mapping, wiring, pod arguments) run by Python against Airflow-shaped
     * stand-ins ({@code src/test/resources/airflow-standin}), with the Airflow 3 and the Airflow 2.10 module paths.
     */
    @Test
    void theDagsOwnCodeMapsExitCodesAndBuildsItsTasksUnderBothModuleLayouts() throws Exception {
        assumeTrue(python(), "python3 is not installed: the DAG's code was NOT run");
        for (String airflow : new String[] {"2", "3"}) {
            ProcessBuilder pb = new ProcessBuilder("python3", "-B", "src/test/resources/airflow-standin/check_dag.py", DAG.toString(), airflow)
                    .redirectErrorStream(true);
            pb.environment().put("PYTHONPATH", "src/test/resources/airflow-standin");
            Process p = pb.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("Airflow " + airflow + ": " + output).isZero();
            assertThat(output).contains("ok");
        }
    }

    private static boolean python() throws InterruptedException {
        try {
            Process probe = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
            return probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void theDagUsesTheCommandsExitCodesAndSummaryTheCliHas() throws Exception {
        String dag = Files.readString(DAG);

        assertThat(dag).contains("EXIT_DEFERRED = 75").contains("EXIT_INVALID = 2").contains("AirflowFailException")
                .contains("\"--summary-json\"").contains("--no-load").contains("{{ ds }}")
                .contains("KubernetesPodOperator").contains("do_xcom_push=xcom");
        // the operators current in Airflow 3, with the Airflow 2.10 modules as the fallback; no PythonOperator
        assertThat(dag).contains("from airflow.providers.standard.operators.bash import BashOperator")
                .contains("from airflow.providers.standard.sensors.bash import BashSensor")
                .contains("from airflow.operators.bash import BashOperator").doesNotContain("PythonOperator")
                .doesNotContain("airflow.operators.python");
        // exit codes: 2 fails without retries, 75 is retried (operators) or poked again (sensor); load and the
        // sensor run after a failed export; the pods mount the job file, the credentials and the state database
        assertThat(dag).contains("skip_on_exit_code=[EXIT_INVALID, EXIT_DEFERRED]").contains("retry_exit_code=EXIT_DEFERRED")
                .contains("mode=\"reschedule\"").contains("export >> load >> published").contains("trigger_rule=\"all_done\"")
                .contains("config_map=k8s.V1ConfigMapVolumeSource").contains("secret_ref=k8s.V1SecretEnvSource")
                .contains("_secret_env(\"SPRING_DATASOURCE_URL\", \"url\")").contains("read_only_root_filesystem=True")
                .contains("mount_path=\"/var/lib/mixpanel-pipelines\"");
    }
}
