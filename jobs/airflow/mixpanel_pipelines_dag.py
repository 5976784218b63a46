"""Airflow DAG: export one Mixpanel day to Parquet, then load it into the job's warehouse.

Two variants of the same two tasks, pick one:
  * ``mixpanel_pipelines_k8s``  runs the CLI in a container (KubernetesPodOperator);
  * ``mixpanel_pipelines_bash`` runs ``java -jar`` on the worker (BashOperator).

Exit codes of the CLI:
  0   done;
  75  deferred (Mixpanel's export budget is spent, or the day is not published yet): the task raises and is
      retried after ``retry_delay``;
  2   invalid job file or credentials: the task fails at once, without retries (AirflowFailException);
  1   some day failed: retried like any failure.
The run summary JSON (``--summary-json``) is pushed to XCom (key ``return_value``).

Credentials come from the environment only (Kubernetes secrets / Airflow connections exported as variables):
MIXPANEL_SA_USERNAME, MIXPANEL_SA_SECRET, WAREHOUSE_USER, WAREHOUSE_PASSWORD, and the state database's
SPRING_DATASOURCE_URL / _USERNAME / _PASSWORD (a shared PostgreSQL, so every run sees the same ledger).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
from datetime import datetime, timedelta

from airflow import DAG
from airflow.exceptions import AirflowException, AirflowFailException
from airflow.operators.python import PythonOperator

JOB_FILE = os.environ.get("MIXPANEL_PIPELINES_JOB", "/etc/mixpanel-pipelines/job.yaml")
JAR = os.environ.get("MIXPANEL_PIPELINES_JAR", "/opt/mixpanel-pipelines/mixpanel-pipelines.jar")
IMAGE = os.environ.get("MIXPANEL_PIPELINES_IMAGE", "ghcr.io/acme/mixpanel-pipelines:latest")

EXIT_OK = 0
EXIT_INVALID = 2
EXIT_DEFERRED = 75

DEFAULT_ARGS = {
    "owner": "data",
    "retries": 12,                      # 75 (budget spent) is retried; Mixpanel's window is one hour
    "retry_delay": timedelta(minutes=10),
    "retry_exponential_backoff": False,
}


def cli_args(command: str, ds: str, summary: str) -> list[str]:
    """Arguments of one CLI command for the day ``ds``."""
    args = [command, "--job", JOB_FILE, "--from", ds, "--to", ds, "--summary-json", summary]
    if command == "export":
        args.append("--no-load")        # the load is its own task, retried on its own
    return args


def run_cli(command: str, ds: str, **_context) -> dict:
    """BashOperator-free runner: maps exit codes to Airflow outcomes and returns the summary for XCom."""
    summary = f"/tmp/mixpanel-pipelines-{command}-{ds}.json"
    proc = subprocess.run(["java", "-jar", JAR, *cli_args(command, ds, summary)], check=False)
    if proc.returncode == EXIT_INVALID:
        raise AirflowFailException(f"{command} {ds}: invalid job file or credentials (exit 2); not retried")
    if proc.returncode == EXIT_DEFERRED:
        raise AirflowException(f"{command} {ds}: deferred (exit 75); retried after the delay")
    if proc.returncode != EXIT_OK:
        raise AirflowException(f"{command} {ds}: exit {proc.returncode}")
    with open(summary, encoding="utf-8") as f:
        return json.load(f)             # pushed to XCom as return_value


with DAG(
    dag_id="mixpanel_pipelines_bash",
    start_date=datetime(2026, 1, 1),
    schedule="@daily",
    catchup=True,
    max_active_runs=1,                  # runs of one job must not overlap
    default_args=DEFAULT_ARGS,
    tags=["mixpanel"],
) as bash_dag:
    # PythonOperator around the CLI rather than BashOperator: BashOperator turns every non-zero exit into
    # a retried failure except its skip_on_exit_code, so it cannot fail exit 2 without retries.
    export_day = PythonOperator(task_id="export", python_callable=run_cli, op_kwargs={"command": "export", "ds": "{{ ds }}"})
    load_day = PythonOperator(task_id="load", python_callable=run_cli, op_kwargs={"command": "load", "ds": "{{ ds }}"})
    export_day >> load_day


try:
    from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
    from kubernetes.client import models as k8s
except ImportError:                     # the provider is optional: the bash variant still loads
    KubernetesPodOperator = None

if KubernetesPodOperator is not None:
    SECRET_ENV = [
        k8s.V1EnvFromSource(secret_ref=k8s.V1SecretEnvSource(name="mixpanel-pipelines")),
    ]

    class MixpanelPipelinesPodOperator(KubernetesPodOperator):
        """Fails without retries when the CLI in the pod exits 2 (invalid job or credentials).

        The provider reports a failed pod as an AirflowException naming the container's exit code; the
        exact wording differs between provider versions, so check it against yours (not verified here).
        """

        def execute(self, context):
            try:
                return super().execute(context)
            except AirflowException as e:
                if re.search(r"exit[_ ]?code\W{0,3}2\b", str(e), re.IGNORECASE):
                    raise AirflowFailException(f"invalid job file or credentials (exit 2); not retried: {e}") from e
                raise

    def pod_task(command: str) -> KubernetesPodOperator:
        summary = "/airflow/xcom/return.json"   # the pod's XCom sidecar pushes this file as return_value
        return MixpanelPipelinesPodOperator(
            task_id=command,
            name=f"mixpanel-pipelines-{command}",
            image=IMAGE,
            cmds=["java", "-jar", "/app/mixpanel-pipelines.jar"],
            arguments=cli_args(command, "{{ ds }}", summary),
            env_from=SECRET_ENV,
            do_xcom_push=True,
            get_logs=True,
        )

    with DAG(
        dag_id="mixpanel_pipelines_k8s",
        start_date=datetime(2026, 1, 1),
        schedule="@daily",
        catchup=True,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=["mixpanel"],
    ) as k8s_dag:
        pod_task("export") >> pod_task("load")
