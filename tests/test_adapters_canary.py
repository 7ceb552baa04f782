"""Lambda and CodeDeploy adapters (harness/adapters/lambda_.py, codedeploy.py) in moto.

One stack walks the life of a release pipeline: first deploy, a second release by
config (a new published version; the alias, owned by CodeDeploy, stays), a
configuration-only change (publishes too, as the provider does), a changed
deployment group, then destroy with nothing left behind. Each program run costs about
a second, so the steps share one stack.
"""

from __future__ import annotations

import uuid
import zipfile
from io import BytesIO

import pytest
from botocore.exceptions import ClientError

from harness.adapters.codedeploy import DeploymentConfig, DeploymentGroup
from harness.adapters.lambda_ import archive_bytes
from harness.engines.base import Op

ASSUME = (
    'json.dumps({{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", '
    '"Action": "sts:AssumeRole", "Principal": {{"Service": "{service}"}}}}]}})'
)

PIPELINE = f"""
import json
import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
release = cfg.require("release")
uid = cfg.require("uid")

artifacts = aws.s3.Bucket("artifacts", object_lock_enabled=True)
versioning = aws.s3.BucketVersioning(
    "artifacts-versioning", bucket=artifacts.id, versioning_configuration={{"status": "Enabled"}}
)
artifact = aws.s3.BucketObjectv2(
    "artifact", bucket=artifacts.id, key=f"releases/{{release}}/app.zip",
    source=pulumi.FileArchive(f"./assets/{{release}}"),
    opts=pulumi.ResourceOptions(depends_on=[versioning]),
)
role = aws.iam.Role("fn-role", assume_role_policy={ASSUME.format(service="lambda.amazonaws.com")})
fn = aws.lambda_.Function(
    "fn", role=role.arn, runtime="python3.12", handler="app.handler",
    s3_bucket=artifacts.id, s3_key=artifact.key, s3_object_version=artifact.version_id,
    publish=True, memory_size=int(cfg.get("memory") or "128"),
    environment={{"variables": {{"RELEASE": release}}}},
)
inline = aws.lambda_.Function(
    "inline", role=role.arn, runtime="python3.12", handler="app.handler",
    code=pulumi.AssetArchive({{"app.py": pulumi.StringAsset(f"RELEASE = {{release!r}}\\n")}}),
)
live = aws.lambda_.Alias(
    "live", name="live", function_name=fn.name, function_version=fn.version,
    opts=pulumi.ResourceOptions(ignore_changes=["function_version", "routing_config"]),
)
app = aws.codedeploy.Application("app", compute_platform="Lambda")
topic = aws.sns.Topic("deploys")
alarm = aws.cloudwatch.MetricAlarm(
    "errors", namespace="AWS/Lambda", metric_name="Errors", statistic="Sum", period=60,
    evaluation_periods=1, threshold=0, comparison_operator="GreaterThanThreshold",
    dimensions={{"FunctionName": fn.name, "Resource": pulumi.Output.concat(fn.name, ":live"),
                 "ExecutedVersion": fn.version}},
)
cd_role = aws.iam.Role(
    "codedeploy", assume_role_policy={ASSUME.format(service="codedeploy.amazonaws.com")}
)
custom = aws.codedeploy.DeploymentConfig(
    "canary5", deployment_config_name=f"canary5-{{uid}}", compute_platform="Lambda",
    traffic_routing_config={{"type": "TimeBasedCanary",
                             "time_based_canary": {{"interval": 10, "percentage": 5}}}},
)
triggers = [{{"trigger_name": "deploys", "trigger_target_arn": topic.arn,
              "trigger_events": ["DeploymentFailure", "DeploymentRollback"]}}]
group = aws.codedeploy.DeploymentGroup(
    "group", app_name=app.name, deployment_group_name="live", service_role_arn=cd_role.arn,
    deployment_config_name=cfg.get("config") or custom.deployment_config_name,
    deployment_style={{"deployment_option": "WITH_TRAFFIC_CONTROL",
                       "deployment_type": "BLUE_GREEN"}},
    auto_rollback_configuration={{"enabled": True,
                                  "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]}},
    alarm_configuration={{"alarms": [alarm.name], "enabled": True}},
    trigger_configurations=[] if cfg.get("quiet") else triggers,
)
pulumi.export("function", fn.name)
pulumi.export("version", fn.version)
pulumi.export("qualifiedArn", fn.qualified_arn)
pulumi.export("inlineVersion", inline.version)
pulumi.export("alarm", alarm.name)
pulumi.export("app", app.name)
"""


def _write_release(workdir, release: str) -> None:
    src = workdir / "assets" / release
    src.mkdir(parents=True, exist_ok=True)
    (src / "app.py").write_text(f"def handler(event, context):\n    return {release!r}\n")


@pytest.fixture
def pipeline(pulumi_project):
    uid = uuid.uuid4().hex[:8]
    engine = pulumi_project(PIPELINE)
    for release in ("1.0.0", "1.1.0"):
        _write_release(engine.spec.workdir, release)
    project = engine.spec.project
    engine.spec.config.update({f"{project}:release": "1.0.0", f"{project}:uid": uid})

    def configure(**values: str) -> None:
        for key, value in values.items():
            engine.spec.config[f"{project}:{key}"] = value

    engine.configure = configure
    return engine


def test_release_pipeline_lifecycle(pipeline, aws_client):
    lam, cd = aws_client("lambda"), aws_client("codedeploy")
    state = pipeline.up()
    out = state.outputs
    fn = out["function"]
    assert out["version"] == "1" and out["qualifiedArn"].endswith(f":function:{fn}:1")
    assert out["inlineVersion"] == "$LATEST"  # publish not set
    alias = lam.get_alias(FunctionName=fn, Name="live")
    assert alias["FunctionVersion"] == "1"
    assert alias["AliasArn"] == state.named("live").id
    code = lam.get_function(FunctionName=fn, Qualifier="1")["Configuration"]
    assert code["Environment"]["Variables"] == {"RELEASE": "1.0.0"}

    group = cd.get_deployment_group(applicationName=out["app"], deploymentGroupName="live")[
        "deploymentGroupInfo"
    ]
    assert group["computePlatform"] == "Lambda"
    assert group["alarmConfiguration"]["alarms"] == [{"name": out["alarm"]}]
    assert group["autoRollbackConfiguration"]["events"] == [
        "DEPLOYMENT_FAILURE",
        "DEPLOYMENT_STOP_ON_ALARM",
    ]
    assert group["triggerConfigurations"][0]["triggerEvents"] == [
        "DeploymentFailure",
        "DeploymentRollback",
    ]
    custom = state.named("canary5")
    assert group["deploymentConfigName"] == custom.id
    info = cd.get_deployment_config(deploymentConfigName=custom.id)["deploymentConfigInfo"]
    assert info["trafficRoutingConfig"] == {
        "type": "TimeBasedCanary",
        "timeBasedCanary": {"canaryPercentage": 5, "canaryInterval": 10},
    }
    assert state.named("group").outputs["computePlatform"] == "Lambda"

    # Converged, and what was deployed reads back as the program said.
    assert pipeline.preview().pending == []
    assert pipeline.refresh() == []

    # Release 1.1.0: change config, run again. A new version, the alias stays.
    pipeline.configure(release="1.1.0")
    changes = {c.name: c for c in pipeline.preview().pending}
    assert changes["fn"].op == Op.UPDATE
    assert {"s3Key", "s3ObjectVersion", "environment"} <= set(changes["fn"].properties)
    assert "live" not in changes  # its version is CodeDeploy's now (ignore_changes)
    state = pipeline.up()
    assert state.outputs["version"] == "2"
    versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName=fn)["Versions"]]
    assert versions == ["$LATEST", "1", "2"]
    assert lam.get_alias(FunctionName=fn, Name="live")["FunctionVersion"] == "1"
    v2 = lam.get_function(FunctionName=fn, Qualifier="2")["Configuration"]
    assert v2["Environment"]["Variables"] == {"RELEASE": "1.1.0"}
    # The alarm follows the new version; the inline function's code changed in place.
    alarm = aws_client("cloudwatch").describe_alarms(AlarmNames=[out["alarm"]])["MetricAlarms"]
    assert {"Name": "ExecutedVersion", "Value": "2"} in alarm[0]["Dimensions"]
    assert state.outputs["inlineVersion"] == "$LATEST"
    assert state.named("inline").inputs["code"]["__hash"] != ""

    # A configuration-only change publishes as well (publish=True).
    pipeline.configure(memory="256")
    assert pipeline.up().outputs["version"] == "3"
    assert lam.get_function(FunctionName=fn, Qualifier="3")["Configuration"]["MemorySize"] == 256

    # The deployment group is updated in place: another config, no triggers.
    pipeline.configure(config="CodeDeployDefault.LambdaCanary10Percent10Minutes", quiet="1")
    changes = {c.name: c for c in pipeline.preview().pending}
    assert changes["group"].op == Op.UPDATE
    state = pipeline.up()
    group = cd.get_deployment_group(applicationName=out["app"], deploymentGroupName="live")[
        "deploymentGroupInfo"
    ]
    assert group["deploymentConfigName"] == "CodeDeployDefault.LambdaCanary10Percent10Minutes"
    assert group["triggerConfigurations"] == []
    assert group["alarmConfiguration"]["enabled"] is True
    assert pipeline.preview().pending == []

    before = [r for r in state.managed() if r.id]
    pipeline.destroy()
    assert [r.name for r in before if pipeline.exists(r)] == []
    with pytest.raises(ClientError):
        lam.get_function(FunctionName=fn)
    with pytest.raises(ClientError, match="DoesNotExist"):
        cd.get_deployment_config(deploymentConfigName=custom.id)


def test_out_of_band_alias_weights_and_group_changes_are_drift(pulumi_project, aws_client):
    """The alias reads back its routing; a changed group reads back too."""
    engine = pulumi_project(
        f"""
        import json
        import pulumi
        import pulumi_aws as aws

        role = aws.iam.Role("r", assume_role_policy={ASSUME.format(service="lambda.amazonaws.com")})
        fn = aws.lambda_.Function(
            "f", role=role.arn, runtime="python3.12", handler="app.handler", publish=True,
            code=pulumi.AssetArchive({{"app.py": pulumi.StringAsset("X = 1\\n")}}),
        )
        aws.lambda_.Alias("a", name="live", function_name=fn.name, function_version=fn.version)
        app = aws.codedeploy.Application("app", compute_platform="Lambda")
        aws.codedeploy.DeploymentGroup(
            "g", app_name=app.name, deployment_group_name="g", service_role_arn=role.arn,
            deployment_config_name="CodeDeployDefault.LambdaAllAtOnce",
        )
        """
    )
    state = engine.up()
    fn = state.named("f").id
    lam = aws_client("lambda")
    lam.publish_version(FunctionName=fn)  # unchanged code: no new version (AWS and moto)
    lam.update_alias(
        FunctionName=fn, Name="live", RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}}
    )
    aws_client("codedeploy").update_deployment_group(
        applicationName=state.named("app").outputs["name"],
        currentDeploymentGroupName="g",
        deploymentConfigName="CodeDeployDefault.LambdaCanary10Percent5Minutes",
    )
    drift = {(d.name, d.property): d for d in engine.refresh()}
    assert set(drift) == {("a", "routingConfig"), ("g", "deploymentConfigName")}
    assert drift[("a", "routingConfig")].actual == {"additionalVersionWeights": {"1": 0.5}}
    engine.destroy()


def test_archives_zip_deterministically(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "app.py").write_text("X = 1\n")
    (tmp_path / "pkg" / "lib.py").write_text("Y = 2\n")
    directory = {"__asset_path": str(tmp_path / "pkg")}
    assert archive_bytes(directory) == archive_bytes(directory)
    names = zipfile.ZipFile(BytesIO(archive_bytes(directory))).namelist()
    assert names == ["app.py", "lib.py"]
    assets = {"__archive": {"app.py": {"__asset_text": "X = 1\n"}}}
    assert zipfile.ZipFile(BytesIO(archive_bytes(assets))).read("app.py") == b"X = 1\n"
    with pytest.raises(ValueError):
        archive_bytes({"path": "x"})


def test_deployment_group_inputs_map_to_the_api_and_back():
    inputs = {
        "appName": "app",
        "deploymentGroupName": "live",
        "serviceRoleArn": "arn:aws:iam::123456789012:role/cd",
        "deploymentConfigName": "CodeDeployDefault.LambdaCanary10Percent5Minutes",
        "alarmConfiguration": {"alarms": ["errors", "latency"], "enabled": True},
        "autoRollbackConfiguration": {"enabled": True, "events": ["DEPLOYMENT_FAILURE"]},
        "triggerConfigurations": [
            {
                "triggerName": "t",
                "triggerTargetArn": "arn:aws:sns:us-east-1:123456789012:deploys",
                "triggerEvents": ["DeploymentFailure"],
            }
        ],
        "deploymentStyle": {
            "deploymentOption": "WITH_TRAFFIC_CONTROL",
            "deploymentType": "BLUE_GREEN",
        },
    }
    api = DeploymentGroup.to_api(inputs)
    assert api["alarmConfiguration"] == {
        "enabled": True,
        "ignorePollAlarmFailure": False,
        "alarms": [{"name": "errors"}, {"name": "latency"}],
    }
    info = {"deploymentGroupName": "live", **api}
    assert DeploymentGroup.from_api(info, inputs) == inputs
    # An emulator that drops the alarm configuration (moto without patch 6): not drift.
    assert DeploymentGroup.from_api({**info, "alarmConfiguration": {}}, inputs) == inputs
    # Omitted blocks are sent empty, which is how an update clears them.
    bare = DeploymentGroup.to_api({"serviceRoleArn": "arn:r"})
    assert bare["deploymentConfigName"] == "CodeDeployDefault.OneAtATime"
    assert bare["triggerConfigurations"] == []
    assert bare["autoRollbackConfiguration"] == {"enabled": False, "events": []}
    linear = {"trafficRoutingConfig": {"type": "TimeBasedLinear", "timeBasedLinear": {}}}
    assert DeploymentConfig.traffic_routing(linear)["type"] == "TimeBasedLinear"
