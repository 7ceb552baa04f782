"""The Auto Scaling scheduled action adapter (``aws:autoscaling/schedule:Schedule``):
deploy (read back from moto), converge, an update in place, destroy. The provider's
"-1: leave this size alone" is never sent to the API.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest

from harness.engines.base import Op
from harness.engines.local import LocalEngine

PROGRAM = """
import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
uid = cfg.require("uid")
night_min = cfg.get_int("nightMin") or 2

lt = aws.ec2.LaunchTemplate("lt", name=f"lt-{uid}", image_id="ami-1e749f67",
                            instance_type="c7g.large")
group = aws.autoscaling.Group("g", name=f"g-{uid}", min_size=2, max_size=6,
                              availability_zones=["us-east-1a", "us-east-1b"],
                              launch_template={"id": lt.id, "version": "$Latest"})
day = aws.autoscaling.Schedule("day", scheduled_action_name="day",
                               autoscaling_group_name=group.name, recurrence="0 7 * * 1-5",
                               min_size=4, max_size=-1, desired_capacity=4,
                               time_zone="Europe/Paris")
night = aws.autoscaling.Schedule("night", scheduled_action_name="night",
                                 autoscaling_group_name=group.name, recurrence="0 20 * * *",
                                 min_size=night_min)
pulumi.export("group", group.name)
"""


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory, project_factory: Callable[..., LocalEngine]
) -> Iterator[LocalEngine]:
    engine = project_factory(tmp_path_factory.mktemp("schedule"), PROGRAM)
    engine.spec.config[f"{engine.spec.project}:uid"] = uuid.uuid4().hex[:8]
    yield engine
    engine.destroy()
    engine.close()


def _actions(aws_client, group: str) -> dict[str, dict]:
    found = aws_client("autoscaling").describe_scheduled_actions(AutoScalingGroupName=group)
    return {a["ScheduledActionName"]: a for a in found["ScheduledUpdateGroupActions"]}


def test_deploy_stores_each_action_as_written(stack: LocalEngine, aws_client) -> None:
    group = stack.up().outputs["group"]
    actions = _actions(aws_client, group)
    day, night = actions["day"], actions["night"]
    assert (day["Recurrence"], day["MinSize"], day["DesiredCapacity"]) == ("0 7 * * 1-5", 4, 4)
    assert day["TimeZone"] == "Europe/Paris"
    assert "MaxSize" not in day or day["MaxSize"] is None  # -1: the size is left alone
    assert (night["Recurrence"], night["MinSize"]) == ("0 20 * * *", 2)


def test_it_converges(stack: LocalEngine) -> None:
    assert [c for c in stack.preview().changes if c.op != Op.SAME] == []
    assert stack.refresh() == []


def test_an_update_in_place(stack: LocalEngine, aws_client) -> None:
    stack.spec.config[f"{stack.spec.project}:nightMin"] = "3"
    changed = [(c.name, c.op) for c in stack.preview().changes if c.op != Op.SAME]
    assert changed == [("night", Op.UPDATE)]
    group = stack.up().outputs["group"]
    assert _actions(aws_client, group)["night"]["MinSize"] == 3


def test_destroy_leaves_nothing(stack: LocalEngine, aws_client) -> None:
    state = stack.state()
    assert state is not None
    stack.destroy()
    assert [r.name for r in state.managed() if stack.exists(r)] == []
