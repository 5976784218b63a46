"""Runs the DAG file's own code against the stand-ins (standin.py): python3 check_dag.py DAG_FILE (2|3)."""
import importlib.util
import sys

import standin

standin.install(airflow3=sys.argv[2] == "3")
spec = importlib.util.spec_from_file_location("dag", sys.argv[1])
dag = importlib.util.module_from_spec(spec)
spec.loader.exec_module(dag)


def outcome(task):
    try:
        task.execute({})
        return "success"
    except standin.AirflowFailException:
        return "fail"
    except standin.AirflowSkipException:
        return "skipped"
    except standin.AirflowException:
        return "retry"


local = dag.local_dag
assert [t.task_id for t in local.tasks] == ["export", "load", "published"], local.tasks
export, load, published = local.tasks
assert export.downstream == [load] and load.downstream == [published]
assert (export.trigger_rule, load.trigger_rule, published.trigger_rule) == ("all_success", "all_done", "all_done")
assert export.bash_command == '"$MIXPANEL_PIPELINES" ' + dag.CLI_COMMANDS["export"]
assert published.retry_exit_code == 75 and published.mode == "reschedule"
assert local.kwargs["catchup"] is False

with standin.DAG("exit-codes"):
    got = {code: outcome(dag.CliBashOperator(task_id="export", bash_command=f"exit {code}")) for code in (0, 1, 2, 75)}
assert got == {0: "success", 1: "retry", 2: "fail", 75: "retry"}, got

pods = dag.k8s_dag.tasks
assert [p.task_id for p in pods] == ["export", "load", "published"]
assert pods[0].kwargs["arguments"] == ["export", "--job", "/etc/mixpanel-pipelines/job.yaml", "--no-load", "--summary-json",
                                       "/airflow/xcom/return.json"], pods[0].kwargs["arguments"]
assert pods[2].kwargs["arguments"] == ["status", "--job", "/etc/mixpanel-pipelines/job.yaml", "--partition", "{{ds}}", "--loaded",
                                       "--json"], pods[2].kwargs["arguments"]
mounts = {m[1]["mount_path"]: m[1] for m in pods[0].kwargs["volume_mounts"]}
assert mounts["/etc/mixpanel-pipelines"]["read_only"] and "/var/lib/mixpanel-pipelines" in mounts and "/tmp" in mounts
expected = {"export": {0: "success", 1: "retry", 2: "fail", 75: "retry"},
            "published": {0: "success", 1: "fail", 2: "fail", 75: "retry"}}
for pod in (pods[0], pods[2]):
    for code, want in expected[pod.task_id].items():
        pod.exit_code = code
        assert outcome(pod) == want, (pod.task_id, code, outcome(pod))
print("ok")
