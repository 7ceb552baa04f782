"""A launch template's ``tag_specifications`` (ec2 LaunchTemplate adapter): the instances
an Auto Scaling group launches from it carry those tags; the stack converges."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest

from harness.engines.base import Op
from harness.engines.local import LocalEngine

PROGRAM = """
import pulumi
import pulumi_aws as aws

uid = pulumi.Config().require("uid")
lt = aws.ec2.LaunchTemplate(
    "lt", name=f"lt-{uid}", image_id="ami-1e749f67", instance_type="c7g.large",
    tag_specifications=[{"resource_type": "instance", "tags": {"Team": "media"}},
                        {"resource_type": "volume", "tags": {"Team": "media"}}])
group = aws.autoscaling.Group("g", name=f"g-{uid}", min_size=1, max_size=2,
                              availability_zones=["us-east-1a"],
                              launch_template={"id": lt.id, "version": "$Latest"})
pulumi.export("group", group.name)
"""


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory, project_factory: Callable[..., LocalEngine]
) -> Iterator[LocalEngine]:
    engine = project_factory(tmp_path_factory.mktemp("lt-tags"), PROGRAM)
    engine.spec.config[f"{engine.spec.project}:uid"] = uuid.uuid4().hex[:8]
    yield engine
    engine.destroy()
    engine.close()


def test_launched_instances_carry_the_templates_tags(stack: LocalEngine, aws_client) -> None:
    group = stack.up().outputs["group"]
    (g,) = aws_client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[group])[
        "AutoScalingGroups"
    ]
    ids = [i["InstanceId"] for i in g["Instances"]]
    (instance,) = aws_client("ec2").describe_instances(InstanceIds=ids)["Reservations"][0][
        "Instances"
    ]
    assert {"Key": "Team", "Value": "media"} in instance["Tags"]
    assert [c for c in stack.preview().changes if c.op != Op.SAME] == []
