"""Airflow-shaped stand-ins, installed into sys.modules, so that the DAG file's own code runs without Airflow.

Only what the DAG uses, with the behaviour read from Airflow's source (providers.standard BashOperator: exit codes
in skip_on_exit_code raise AirflowSkipException, other non-zero codes AirflowException; the subprocess hook keeps
the Popen as sub_process; cncf.kubernetes KubernetesPodOperator: "Pod ... returned exit code N. Skipping."). This
checks the DAG's logic (exit-code mapping, wiring, pod arguments), not its compatibility with a real Airflow.
"""
import subprocess
import sys
import types


class AirflowException(Exception):
    pass


class AirflowFailException(AirflowException):
    pass


class AirflowSkipException(AirflowException):
    pass


class DAG:
    current = None

    def __init__(self, dag_id, **kwargs):
        self.dag_id = dag_id
        self.kwargs = kwargs
        self.tasks = []

    def __enter__(self):
        DAG.current = self
        return self

    def __exit__(self, *args):
        DAG.current = None


class _Task:
    def __init__(self, task_id, trigger_rule="all_success", **kwargs):
        self.task_id = task_id
        self.trigger_rule = trigger_rule
        self.kwargs = kwargs
        self.downstream = []
        DAG.current.tasks.append(self)

    def __rshift__(self, other):
        self.downstream.append(other)
        return other


class _Hook:
    sub_process = None


class BashOperator(_Task):
    def __init__(self, *, task_id, bash_command, skip_on_exit_code=99, **kwargs):
        super().__init__(task_id, **kwargs)
        self.bash_command = bash_command
        self.skip_on_exit_code = list(skip_on_exit_code) if isinstance(skip_on_exit_code, (list, tuple)) else [skip_on_exit_code]
        self.subprocess_hook = _Hook()

    def execute(self, context):
        p = subprocess.Popen(["bash", "-c", self.bash_command])
        p.wait()
        self.subprocess_hook.sub_process = p
        if p.returncode in self.skip_on_exit_code:
            raise AirflowSkipException(f"Bash command returned exit code {p.returncode}. Skipping.")
        if p.returncode != 0:
            raise AirflowException(f"Bash command failed. The command returned a non-zero exit code {p.returncode}.")


class BashSensor(_Task):
    def __init__(self, *, task_id, bash_command, retry_exit_code=None, mode="poke", **kwargs):
        super().__init__(task_id, **kwargs)
        self.bash_command = bash_command
        self.retry_exit_code = retry_exit_code
        self.mode = mode


class KubernetesPodOperator(_Task):
    exit_code = 0

    def __init__(self, *, task_id, skip_on_exit_code=None, **kwargs):
        super().__init__(task_id, **kwargs)
        self.skip_on_exit_code = skip_on_exit_code or []

    def execute(self, context):
        if self.exit_code in self.skip_on_exit_code:
            raise AirflowSkipException(f"Pod mixpanel-pipelines returned exit code {self.exit_code}. Skipping.")


class _Models:
    def __getattr__(self, name):
        return lambda **kwargs: (name, kwargs)


def install(airflow3=True):
    """Installs the modules; airflow3=False: only the Airflow 2.10 module paths exist."""
    def module(name, **attrs):
        m = types.ModuleType(name)
        m.__dict__.update(attrs)
        sys.modules[name] = m

    module("airflow", DAG=DAG)
    module("airflow.exceptions", AirflowException=AirflowException, AirflowFailException=AirflowFailException,
           AirflowSkipException=AirflowSkipException)
    if airflow3:
        module("airflow.sdk", DAG=DAG)
        module("airflow.providers.standard.operators.bash", BashOperator=BashOperator)
        module("airflow.providers.standard.sensors.bash", BashSensor=BashSensor)
    else:
        module("airflow.operators.bash", BashOperator=BashOperator)
        module("airflow.sensors.bash", BashSensor=BashSensor)
    module("airflow.providers.cncf.kubernetes.operators.pod", KubernetesPodOperator=KubernetesPodOperator)
    module("kubernetes.client", models=_Models())
