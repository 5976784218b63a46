"""Airflow DAGs for one mixpanel-pipelines job: export, then load, then a sensor per day for downstream DAGs.

Two variants of the same tasks, pick one (or both: they share nothing but the state database):
  * ``mixpanel_pipelines_local`` runs the CLI on the worker (BashOperator / BashSensor);
  * ``mixpanel_pipelines_k8s``   runs it in the image (KubernetesPodOperator), when the cncf.kubernetes
    provider is installed.

The tasks follow the tool's own planning: ``export`` is given no range, so each run fetches the new days, the
late-data lookback and any backfill, several days per request, within the hourly budget; ``load`` then loads
every published day not yet loaded; ``published`` waits until the run's day ({{ ds }}) is published and
loaded, and is what downstream DAGs wait on (or copy: ``partition_sensor``). ``catchup`` is off: the export of
any run catches up by itself.

Exit codes of the CLI and what the tasks do with them:
  0   done: the task succeeds;
  1   some day failed: export and load fail and are retried (``retries``, ``retry_delay``); the sensor fails
      at once (the day is FAILED: a rerun is needed, not a wait);
  2   invalid job file, credentials or driver, or (sensor) a day outside the job's range: the task fails at
      once, without retries (AirflowFailException);
  75  deferred (export: the hourly budget is spent) or not yet (sensor): export and load are retried after
      ``retry_delay``; the sensor pokes again later (mode="reschedule": it frees its worker slot meanwhile).
``load`` and the sensor run even when ``export`` failed (trigger_rule="all_done"): the days that were published
are still loaded and reported.

Operators: ``airflow.providers.standard`` (Airflow 3, and Airflow 2.x with apache-airflow-providers-standard),
else ``airflow.operators.bash`` / ``airflow.sensors.bash`` (Airflow 2.10 without that provider; removed in 3).
Not run here: Airflow cannot be installed on the machines this was written on. The task command lines below
are run by the project's tests, in this order, against a Mixpanel stand-in and DuckDB.

The local variant needs the CLI on the worker (the launcher ``mixpanel-pipelines`` of the release, or any
command that runs it) and this environment on the worker: MIXPANEL_PIPELINES (that command),
MIXPANEL_PIPELINES_JOB (the job file), the credentials the job file names (e.g. MIXPANEL_SA_USERNAME,
MIXPANEL_SA_SECRET, WAREHOUSE_PASSWORD) and the shared state database SPRING_DATASOURCE_URL / _USERNAME /
_PASSWORD (PostgreSQL: every run and the sensors must see the same ledger).
"""
from __future__ import annotations

import re
import shlex
from datetime import datetime, timedelta

from airflow.exceptions import AirflowException, AirflowFailException, AirflowSkipException

try:  # Airflow 3
    from airflow.sdk import DAG
except ImportError:  # Airflow 2.x
    from airflow import DAG

try:  # Airflow 3; Airflow 2.x with apache-airflow-providers-standard
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.providers.standard.sensors.bash import BashSensor
except ImportError:  # Airflow 2.10
    from airflow.operators.bash import BashOperator
    from airflow.sensors.bash import BashSensor

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INVALID = 2
EXIT_DEFERRED = 75

# BEGIN CLI COMMANDS: task id -> the CLI's arguments, in the DAG's order; {{ ds }} is the only template.
# AirflowDagIntegrationTests reads this block and runs these lines: keep one 'task': 'arguments' per line.
CLI_COMMANDS = {
    "export": 'export --job "$MIXPANEL_PIPELINES_JOB" --no-load',
    "load": 'load --job "$MIXPANEL_PIPELINES_JOB"',
    "published": 'status --job "$MIXPANEL_PIPELINES_JOB" --partition {{ ds }} --loaded --json',
}
# END CLI COMMANDS

DEFAULT_ARGS = {
    "owner": "data",
    "retries": 12,                      # 1 and 75 are retried; Mixpanel's budget window is one hour
    "retry_delay": timedelta(minutes=10),
    "retry_exponential_backoff": False,
}


def exit_outcome(task_id: str, code: int) -> None:
    """Raises what Airflow must do with a non-zero exit code of the CLI (see the module's docstring)."""
    if code == EXIT_INVALID:
        raise AirflowFailException(f"{task_id}: invalid job file, credentials, driver or day (exit 2); not retried")
    if code == EXIT_FAILED and task_id == "published":
        raise AirflowFailException(f"{task_id}: the day FAILED (exit 1): rerun it; not retried")
    if code == EXIT_DEFERRED:
        raise AirflowException(f"{task_id}: deferred (exit 75); retried after retry_delay")
    raise AirflowException(f"{task_id}: exit {code}; retried")


class CliBashOperator(BashOperator):
    """BashOperator with the CLI's exit codes: 2 fails without retries, 1 and 75 are retried.

    BashOperator raises a plain (retried) AirflowException for every non-zero exit but ``skip_on_exit_code``;
    those are turned into AirflowSkipException, caught here and mapped by the subprocess's exit code.
    """

    def __init__(self, **kwargs):
        super().__init__(skip_on_exit_code=[EXIT_INVALID, EXIT_DEFERRED], **kwargs)

    def execute(self, context):
        try:
            return super().execute(context)
        except AirflowSkipException as e:
            sub = getattr(self.subprocess_hook, "sub_process", None)
            code = sub.returncode if sub is not None else int(re.search(r"exit code (\d+)", str(e)).group(1))
            exit_outcome(self.task_id, code)


def cli_command(task_id: str) -> str:
    return '"$MIXPANEL_PIPELINES" ' + CLI_COMMANDS[task_id]


def partition_sensor(task_id: str = "published", **kwargs) -> BashSensor:
    """Waits until the day {{ ds }} is published and loaded: 0 done, 75 pokes again, 1 and 2 fail at once."""
    return BashSensor(
        task_id=task_id,
        bash_command=cli_command("published"),
        retry_exit_code=EXIT_DEFERRED,  # any other non-zero code raises AirflowFailException
        mode="reschedule",
        poke_interval=timedelta(minutes=10).total_seconds(),
        timeout=timedelta(days=2).total_seconds(),
        **kwargs,
    )


with DAG(
    dag_id="mixpanel_pipelines_local",
    start_date=datetime(2026, 1, 1),
    schedule="@daily",
    catchup=False,
    max_active_runs=1,                  # runs of one job must not overlap
    default_args=DEFAULT_ARGS,
    tags=["mixpanel"],
) as local_dag:
    export = CliBashOperator(task_id="export", bash_command=cli_command("export"))
    load = CliBashOperator(task_id="load", bash_command=cli_command("load"), trigger_rule="all_done")
    published = partition_sensor(trigger_rule="all_done")
    export >> load >> published


try:
    from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
    from kubernetes.client import models as k8s
except ImportError:                     # the provider is optional: the local variant still loads
    KubernetesPodOperator = None

if KubernetesPodOperator is not None:
    IMAGE = "ghcr.io/mixpanel-pipelines/mixpanel-pipelines:0.1.0"
    K8S_JOB_FILE = "/etc/mixpanel-pipelines/job.yaml"
    XCOM_RETURN = "/airflow/xcom/return.json"   # the pod's XCom sidecar pushes this file as return_value
    # the job file (ConfigMap, key job.yaml), the credentials its *Env settings name (Secret, as variables)
    # and the state database (Secret, keys url, username, password)
    JOB_CONFIGMAP = "mixpanel-pipelines-job"
    CREDENTIALS_SECRET = "mixpanel-pipelines-credentials"
    STATE_SECRET = "mixpanel-pipelines-state"

    def _secret_env(name: str, key: str) -> k8s.V1EnvVar:
        return k8s.V1EnvVar(name=name, value_from=k8s.V1EnvVarSource(
            secret_key_ref=k8s.V1SecretKeySelector(name=STATE_SECRET, key=key)))

    class MixpanelPipelinesPodOperator(KubernetesPodOperator):
        """The CLI in the image, with its exit codes mapped as in the local variant.

        ``skip_on_exit_code`` makes the provider raise AirflowSkipException naming the container's exit code
        ("... returned exit code N. Skipping."); it is caught here and mapped by that code. Check the wording
        against your provider version: it was read from the provider's source, not run here.
        """

        def __init__(self, **kwargs):
            super().__init__(skip_on_exit_code=[EXIT_FAILED, EXIT_INVALID, EXIT_DEFERRED], **kwargs)

        def execute(self, context):
            try:
                return super().execute(context)
            except AirflowSkipException as e:
                m = re.search(r"exit code (\d+)", str(e))
                if m is None:
                    raise
                exit_outcome(self.task_id, int(m.group(1)))

    def pod_task(task_id: str, **kwargs) -> KubernetesPodOperator:
        # the job file's path in the pod; "{{ ds }}" kept one argument (shlex would split it at its spaces)
        command = CLI_COMMANDS[task_id].replace('"$MIXPANEL_PIPELINES_JOB"', K8S_JOB_FILE).replace("{{ ds }}", "{{ds}}")
        args = shlex.split(command)
        xcom = task_id in ("export", "load")
        if xcom:
            args += ["--summary-json", XCOM_RETURN]
        return MixpanelPipelinesPodOperator(
            task_id=task_id,
            name=f"mixpanel-pipelines-{task_id}",
            image=IMAGE,
            arguments=args,             # the image's entrypoint is the launcher
            env_from=[k8s.V1EnvFromSource(secret_ref=k8s.V1SecretEnvSource(name=CREDENTIALS_SECRET))],
            env_vars=[_secret_env("SPRING_DATASOURCE_URL", "url"), _secret_env("SPRING_DATASOURCE_USERNAME", "username"),
                      _secret_env("SPRING_DATASOURCE_PASSWORD", "password")],
            volumes=[
                k8s.V1Volume(name="job", config_map=k8s.V1ConfigMapVolumeSource(name=JOB_CONFIGMAP)),
                # the image's working folder: the spool (data/spool by default) and anything relative
                k8s.V1Volume(name="work", empty_dir=k8s.V1EmptyDirVolumeSource(size_limit="10Gi")),
                k8s.V1Volume(name="tmp", empty_dir=k8s.V1EmptyDirVolumeSource(size_limit="1Gi")),
            ],
            volume_mounts=[
                k8s.V1VolumeMount(name="job", mount_path="/etc/mixpanel-pipelines", read_only=True),
                k8s.V1VolumeMount(name="work", mount_path="/var/lib/mixpanel-pipelines"),
                k8s.V1VolumeMount(name="tmp", mount_path="/tmp"),
            ],
            security_context=k8s.V1PodSecurityContext(run_as_user=10001, run_as_group=10001, fs_group=10001,
                                                      run_as_non_root=True),
            container_security_context=k8s.V1SecurityContext(read_only_root_filesystem=True,
                                                             allow_privilege_escalation=False),
            do_xcom_push=xcom,
            get_logs=True,
            **kwargs,
        )

    with DAG(
        dag_id="mixpanel_pipelines_k8s",
        start_date=datetime(2026, 1, 1),
        schedule="@daily",
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=["mixpanel"],
    ) as k8s_dag:
        # the sensor as a pod: 75 is retried after retry_delay (a pod per poke; the local BashSensor is lighter)
        pod_task("export") >> pod_task("load", trigger_rule="all_done") >> pod_task("published", trigger_rule="all_done")
