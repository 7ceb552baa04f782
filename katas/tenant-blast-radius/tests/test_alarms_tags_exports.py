"""R7: a backlog-age alarm per tenant; R8: tenant and cell tags, and the exports."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from harness.drills.cloudwatch.evaluation import COMPARISONS

STALE_S = 301  # R7: older than 300 seconds must be in ALARM
MAX_PERIOD_S = 300


def _metric_view(alarm: dict[str, Any]) -> dict[str, Any]:
    """The alarm's metric as top-level fields, whether it names the metric directly or
    through a single returned MetricStat query (``metric_queries``): same meaning."""
    queries = [q for q in alarm.get("Metrics") or [] if q.get("ReturnData", True)]
    if not queries or len(queries) != 1 or "MetricStat" not in queries[0]:
        return alarm
    stat = queries[0]["MetricStat"]
    metric = stat.get("Metric") or {}
    return {
        **alarm,
        "Namespace": metric.get("Namespace"),
        "MetricName": metric.get("MetricName"),
        "Dimensions": metric.get("Dimensions", []),
        "Statistic": stat.get("Stat"),
        "Period": stat.get("Period"),
    }


def _watches(alarm: dict[str, Any], queue_name: str) -> bool:
    dims = {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}
    return (
        alarm.get("Namespace") == "AWS/SQS"
        and alarm.get("MetricName") == "ApproximateAgeOfOldestMessage"
        and dims.get("QueueName") == queue_name
    )


def _problems(alarm: dict[str, Any]) -> list[str]:
    out = []
    if alarm.get("Statistic") != "Maximum":
        out.append(f"statistic {alarm.get('Statistic') or alarm.get('ExtendedStatistic')}")
    if int(alarm.get("Period") or 0) > MAX_PERIOD_S:
        out.append(f"period {alarm.get('Period')} s")
    compare, _ = COMPARISONS.get(alarm.get("ComparisonOperator", ""), (None, ""))
    threshold = float(alarm.get("Threshold", 0))
    if compare is None or not compare(STALE_S, threshold) or compare(0, threshold):
        out.append(
            f"{alarm.get('ComparisonOperator')} {threshold:g} (a {STALE_S}-second-old message "
            "must breach it, an empty queue must not)"
        )
    return out


@pytest.mark.requirement("R7")
def test_each_tenant_has_an_alarm_on_its_backlog_age(platform, aws, expect):
    clause = 'R7 "per-tenant-alarm"'
    pages = aws("cloudwatch").get_paginator("describe_alarms").paginate(AlarmTypes=["MetricAlarm"])
    alarms = [_metric_view(a) for page in pages for a in page["MetricAlarms"]]
    wrong = []
    queues: dict[str, list[str]] = {}
    for t in platform.tenants.values():
        queues.setdefault(t.queue_name, []).append(t.name)
        watching = [a for a in alarms if _watches(a, t.queue_name)]
        if not watching:
            wrong.append(
                f"{clause}: no alarm watches ApproximateAgeOfOldestMessage of {t.name}'s queue "
                f"{t.queue_name}"
            )
        elif all(_problems(a) for a in watching):
            for a in watching:
                wrong.append(
                    f"{clause}: {t.name}'s alarm {a['AlarmName']} has " + ", ".join(_problems(a))
                )
    for queue, names in queues.items():
        if len(names) > 1:
            wrong.append(
                f"{clause}: tenants {', '.join(names)} share the queue {queue}: its alarm "
                "cannot say whose backlog is old"
            )
    expect.no_findings(wrong)


def _tags(aws: Any, platform, t) -> dict[str, dict[str, str]]:
    """What the emulator holds, per resource of the tenant."""
    out: dict[str, dict[str, str]] = {}

    def read(label: str, call) -> None:
        try:
            out[label] = call()
        except (ClientError, AssertionError) as exc:
            out[label] = {"(unreadable)": str(exc)[:80]}

    s3, kms, sqs, lam, iam = aws("s3"), aws("kms"), aws("sqs"), aws("lambda"), aws("iam")
    read(
        f"bucket {t.bucket}",
        lambda: {x["Key"]: x["Value"] for x in s3.get_bucket_tagging(Bucket=t.bucket)["TagSet"]},
    )
    read(
        f"key {t.key_arn}",
        lambda: {
            x["TagKey"]: x["TagValue"]
            for x in kms.list_resource_tags(KeyId=t.key_arn).get("Tags", [])
        },
    )
    read(
        f"queue {t.queue_name}",
        lambda: sqs.list_queue_tags(QueueUrl=t.queue_url).get("Tags", {}),
    )
    read(
        f"function {t.function}",
        lambda: lam.list_tags(
            Resource=lam.get_function(FunctionName=t.function)["Configuration"]["FunctionArn"]
        ).get("Tags", {}),
    )
    read(
        f"role {t.role_name}",
        lambda: {x["Key"]: x["Value"] for x in iam.list_role_tags(RoleName=t.role_name)["Tags"]},
    )
    return out


@pytest.mark.requirement("R8")
def test_tenant_resources_carry_tenant_and_cell(platform, aws, expect):
    wrong = []
    for t in platform.tenants.values():
        want = {"tenant": t.name, "cell": t.cell}
        for label, tags in _tags(aws, platform, t).items():
            off = {k: tags.get(k) for k, v in want.items() if tags.get(k) != v}
            if off:
                wrong.append(
                    f'R8 "tags": {t.name}\'s {label} has {off}, not {want}'
                    if len(off) < 3
                    else f'R8 "tags": {t.name}\'s {label}: {off}'
                )
    expect.no_findings(wrong)


@pytest.mark.requirement("R8")
def test_exports_name_the_deployed_resources(platform, stack, aws, expect):
    clause = 'R8 "exports"'
    exported = stack.outputs.get("tenants")
    if not isinstance(exported, dict):
        expect.no_findings([f"{clause}: the stack exports no tenants object"])
    wrong = []
    s3, kms, sqs, lam, iam, apigw = (
        aws(s) for s in ("s3", "kms", "sqs", "lambda", "iam", "apigateway")
    )
    try:
        apigw.get_rest_api(restApiId=platform.api_id)
    except (ClientError, ValueError):
        wrong.append(f"{clause}: apiId {platform.api_id!r} names no REST API")
    checks = {
        "bucket": lambda v: s3.head_bucket(Bucket=v),
        "keyArn": lambda v: kms.describe_key(KeyId=v)["KeyMetadata"]["Arn"] == v or _no(v),
        "queueUrl": lambda v: sqs.get_queue_attributes(QueueUrl=v, AttributeNames=["QueueArn"]),
        "functionName": lambda v: lam.get_function(FunctionName=v),
        "roleArn": lambda v: (
            iam.get_role(RoleName=v.rsplit("/", 1)[-1])["Role"]["Arn"] == v or _no(v)
        ),
        "apiKeyId": lambda v: apigw.get_api_key(apiKey=v),
    }
    for name in platform.tenants:
        entry = exported.get(name) if isinstance(exported, dict) else None
        if not isinstance(entry, dict):
            wrong.append(f"{clause}: tenants.{name} is missing")
            continue
        for item, check in checks.items():
            value = entry.get(item)
            if not value:
                wrong.append(f"{clause}: tenants.{name}.{item} is missing")
                continue
            try:
                check(str(value))
            except (ClientError, ValueError, AssertionError) as exc:
                wrong.append(
                    f"{clause}: tenants.{name}.{item} = {value!r} names no deployed resource "
                    f"of that kind ({str(exc)[:80]})"
                )
    expect.no_findings(wrong)


def _no(value: str) -> bool:
    raise AssertionError(f"{value} is not the resource's ARN")
