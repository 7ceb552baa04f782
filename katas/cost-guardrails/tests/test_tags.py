"""R6: every resource says who pays for it. Tags are read from each service's own API in
the emulator, whatever the program declared."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError


def _pairs(tags: list[dict[str, Any]] | None) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in tags or []}


def _bucket(aws: Any, id_: str) -> dict[str, str]:
    try:
        return _pairs(aws("s3").get_bucket_tagging(Bucket=id_)["TagSet"])
    except ClientError as exc:
        if "NoSuchTagSet" in str(exc):
            return {}
        raise


def _topic(aws: Any, id_: str) -> dict[str, str]:
    return _pairs(aws("sns").list_tags_for_resource(ResourceArn=id_)["Tags"])


def _log_group(aws: Any, id_: str) -> dict[str, str]:
    return dict(aws("logs").list_tags_log_group(logGroupName=id_).get("tags") or {})


def _table(aws: Any, id_: str) -> dict[str, str]:
    arn = aws("dynamodb").describe_table(TableName=id_)["Table"]["TableArn"]
    return _pairs(aws("dynamodb").list_tags_of_resource(ResourceArn=arn).get("Tags"))


def _launch_template(aws: Any, id_: str) -> dict[str, str]:
    (lt,) = aws("ec2").describe_launch_templates(LaunchTemplateIds=[id_])["LaunchTemplates"]
    return _pairs(lt.get("Tags"))


def _group(aws: Any, id_: str) -> dict[str, str]:
    (g,) = aws("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[id_])[
        "AutoScalingGroups"
    ]
    return _pairs(g.get("Tags"))


READERS = {
    "aws:s3/bucket:Bucket": ("bucket", _bucket),
    "aws:s3/bucketV2:BucketV2": ("bucket", _bucket),
    "aws:sns/topic:Topic": ("topic", _topic),
    "aws:cloudwatch/logGroup:LogGroup": ("log group", _log_group),
    "aws:dynamodb/table:Table": ("table", _table),
    "aws:ec2/launchTemplate:LaunchTemplate": ("launch template", _launch_template),
    "aws:autoscaling/group:Group": ("Auto Scaling group", _group),
}


def _missing(tags: dict[str, str], wanted: dict[str, str]) -> list[str]:
    return [
        f"{k}={tags[k]!r} (not {v!r})" if k in tags else f"no {k}"
        for k, v in wanted.items()
        if tags.get(k) != v
    ]


@pytest.mark.requirement("R6")
def test_every_taggable_resource_carries_the_cost_allocation_tags(stack, aws, kata):
    """R6 tagged: Team, CostCenter and Service, with the config's values, on every bucket,
    topic, log group, table, launch template and Auto Scaling group."""
    judged = [r for r in stack.resources if r.type in READERS and r.id]
    assert judged, "R6 tagged: the stack creates none of the resources the SPEC names"
    wrong = []
    for r in judged:
        what, read = READERS[r.type]
        missing = _missing(read(aws, r.id), kata.tags)
        if missing:
            wrong.append(f"{what} {r.id}: {', '.join(missing)}")
    assert not wrong, f"R6 tagged: {'; '.join(wrong)}"


@pytest.mark.requirement("R6")
def test_the_groups_instances_carry_them(workers, aws, kata):
    """R6 instances-tagged: every instance the Auto Scaling group runs carries the tags."""
    assert workers.problem is None, workers.problem
    ids = [i["InstanceId"] for i in workers.group.get("Instances") or []]
    assert ids, f"R6 instances-tagged: group {workers.name} runs no instance to judge"
    reservations = aws("ec2").describe_instances(InstanceIds=ids)["Reservations"]
    wrong = []
    for instance in (i for r in reservations for i in r["Instances"]):
        missing = _missing(_pairs(instance.get("Tags")), kata.tags)
        if missing:
            wrong.append(f"{instance['InstanceId']}: {', '.join(missing)}")
    assert not wrong, (
        f"R6 instances-tagged: instances of group {workers.name} lack the cost-allocation "
        f"tags (neither propagated by the group nor set by the launch template): "
        f"{'; '.join(wrong)}"
    )
