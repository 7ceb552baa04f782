"""Adapters an alerting program needs beyond plain metric alarms: metric math alarms
(``metric_queries``), a composite alarm with an actions suppressor, and a dashboard.

One stack: deploy (each definition read back from moto as the drill will read it),
converge (an empty second preview), destroy with nothing left behind.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from harness.engines.base import Op

PROGRAM = """
import json
import pulumi
import pulumi_aws as aws

api = {"ApiName": "shop", "Stage": "prod"}
def metric(name, stat="Sum"):
    return {"namespace": "AWS/ApiGateway", "metric_name": name, "dimensions": api,
            "period": 300, "stat": stat, "unit": "Count"}

burn = aws.cloudwatch.MetricAlarm("burn", comparison_operator="GreaterThanOrEqualToThreshold",
    evaluation_periods=1, threshold=14.4, treat_missing_data="notBreaching",
    metric_queries=[
        {"id": "errors", "metric": metric("5XXError"), "return_data": False},
        {"id": "requests", "metric": metric("Count"), "return_data": False},
        {"id": "burn", "expression": "errors / requests / 0.001", "label": "burn rate",
         "return_data": True},
    ])
maintenance = aws.cloudwatch.MetricAlarm("maintenance",
    comparison_operator="GreaterThanOrEqualToThreshold", evaluation_periods=1,
    metric_name="MaintenanceWindow", namespace="Shop/Operations",
    period=60, statistic="Maximum", threshold=1)
page = aws.cloudwatch.CompositeAlarm("page", alarm_name="page-" + pulumi.get_project(),
    alarm_rule=burn.name.apply(lambda n: f"ALARM({n})"),
    actions_suppressor={"alarm": maintenance.name, "wait_period": 120, "extension_period": 300})
board = aws.cloudwatch.Dashboard("board", dashboard_name="board-" + pulumi.get_project(),
    dashboard_body=json.dumps({"widgets": [{"type": "metric", "x": 0, "y": 0, "width": 12,
        "height": 6, "properties": {"region": "us-east-1", "metrics": [
            ["AWS/ApiGateway", "Count", "ApiName", "shop", "Stage", "prod"]]}}]}))
pulumi.export("burn", burn.name)
pulumi.export("page", page.alarm_name)
pulumi.export("maintenance", maintenance.name)
pulumi.export("board", board.dashboard_name)
pulumi.export("boardArn", board.dashboard_arn)
"""


def test_metric_math_composite_suppressor_and_dashboard(
    pulumi_project: Callable[..., object], aws_client
) -> None:
    engine = pulumi_project(PROGRAM)
    out = engine.up().outputs
    cw = aws_client("cloudwatch")

    (burn,) = cw.describe_alarms(AlarmNames=[out["burn"]])["MetricAlarms"]
    ids = [(q["Id"], q.get("ReturnData")) for q in burn["Metrics"]]
    assert ids == [("errors", False), ("requests", False), ("burn", True)]
    errors = burn["Metrics"][0]["MetricStat"]
    assert (errors["Period"], errors["Stat"], errors["Unit"]) == (300, "Sum", "Count")
    assert errors["Metric"]["Dimensions"] == [
        {"Name": "ApiName", "Value": "shop"},
        {"Name": "Stage", "Value": "prod"},
    ]
    assert burn["Metrics"][2]["Expression"] == "errors / requests / 0.001"

    (page,) = cw.describe_alarms(AlarmNames=[out["page"]], AlarmTypes=["CompositeAlarm"])[
        "CompositeAlarms"
    ]
    suppressor = (
        page["ActionsSuppressor"],
        page["ActionsSuppressorWaitPeriod"],
        page["ActionsSuppressorExtensionPeriod"],
    )
    assert suppressor == (out["maintenance"], 120, 300)

    body = json.loads(cw.get_dashboard(DashboardName=out["board"])["DashboardBody"])
    assert body["widgets"][0]["properties"]["metrics"][0][1] == "Count"
    assert out["boardArn"].endswith(f":dashboard/{out['board']}")

    assert [c for c in engine.preview().changes if c.op != Op.SAME] == []
    engine.destroy()
    assert cw.describe_alarms(
        AlarmNames=[out["burn"], out["page"]], AlarmTypes=["MetricAlarm", "CompositeAlarm"]
    ) | {"ResponseMetadata": None} == {
        "MetricAlarms": [],
        "CompositeAlarms": [],
        "ResponseMetadata": None,
    }
    assert out["board"] not in [
        d["DashboardName"] for d in cw.list_dashboards()["DashboardEntries"]
    ]
