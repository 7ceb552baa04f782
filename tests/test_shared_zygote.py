"""harness.engines.local.shared: runs without a sandbox fork from one warm zygote,
each with its own environment, and a run that breaks it does not break the next."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

from harness.engines.local import LocalEngine, shared

# The worker's parent is the zygote that forked it; HOME is the run's own.
REPORT = """
import json, os
import pulumi
print("REPORT " + json.dumps({"parent": os.getppid(), "home": os.environ["HOME"],
                              "region": os.environ["AWS_DEFAULT_REGION"]}))
"""


def _report(engine: LocalEngine) -> dict:
    engine.preview()
    line = next(x for x in engine.last_output.splitlines() if x.startswith("REPORT "))
    return json.loads(line.removeprefix("REPORT "))


def test_runs_of_different_engines_fork_from_one_zygote_with_their_own_env(
    pulumi_project: Callable[..., LocalEngine],
) -> None:
    first = pulumi_project(REPORT)
    second = pulumi_project(REPORT, region="eu-west-1")
    a, b = _report(first), _report(second)
    again = _report(first)
    assert a["parent"] == b["parent"] == again["parent"], "one zygote served all three runs"
    assert a["home"] != b["home"], "each engine's runs get that engine's own HOME"
    assert (a["region"], b["region"]) == ("us-east-1", "eu-west-1")
    first.close()  # closing an engine leaves the shared zygote to the next run
    assert _report(second)["parent"] == a["parent"]


def test_a_run_that_times_out_leaves_a_working_zygote_for_the_next(
    pulumi_project: Callable[..., LocalEngine],
) -> None:
    from harness.errors import StageTimeout

    hang = pulumi_project("import time\nwhile True:\n    time.sleep(1)\n", timeout_s=3)
    try:
        hang.preview()
    except StageTimeout:
        pass
    else:
        raise AssertionError("the endless program was not stopped")
    assert _report(pulumi_project(REPORT))["home"]


def test_a_busy_zygote_is_not_shared(pulumi_project: Callable[..., LocalEngine]) -> None:
    env = pulumi_project(REPORT)._env()
    held = threading.Event()
    release = threading.Event()
    seen: list[object] = []

    def hold() -> None:
        with shared.borrowed(env) as zygote:
            seen.append(zygote)
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(60)
        with shared.borrowed(env) as other:
            assert other is None, "a second run must not share a zygote in use"
    finally:
        release.set()
        holder.join()
    assert seen[0] is not None
