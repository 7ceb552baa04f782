"""Adapters the multi-region-failover kata needs: KMS, Route 53, Secrets Manager.

One module-scoped two-region stack serves the lifecycle checks (create, converge,
refresh, update, destroy); the refusals Route 53 and the provider make have small
stacks of their own. Every claim is checked in moto itself.
"""

from __future__ import annotations

import textwrap
import uuid

import pytest
from botocore.exceptions import ClientError

from harness.engines.base import Op
from harness.errors import HarnessError

PRIMARY, SECONDARY = "us-east-1", "us-west-2"

STACK = """
import pulumi
import pulumi_aws as aws

east = aws.Provider("east", region="{primary}")
west = aws.Provider("west", region="{secondary}")
in_east = pulumi.ResourceOptions(provider=east)
in_west = pulumi.ResourceOptions(provider=west)

key_east = aws.kms.Key("key-east", description="east", enable_key_rotation=True,
                       deletion_window_in_days=7, tags={{"role": "{role}"}}, opts=in_east)
key_west = aws.kms.Key("key-west", description="west", enable_key_rotation=True,
                       deletion_window_in_days=7, opts=in_west)
aws.kms.Alias("alias-west", name="alias/{uid}-west", target_key_id=key_west.key_id, opts=in_west)

alarm = aws.cloudwatch.MetricAlarm(
    "health", comparison_operator="LessThanThreshold", evaluation_periods=2,
    metric_name="Up", namespace="Kata", period=60, statistic="Minimum", threshold=1,
    opts=in_east,
)
check = aws.route53.HealthCheck(
    "primary-health", type="CLOUDWATCH_METRIC", cloudwatch_alarm_name=alarm.name,
    cloudwatch_alarm_region="{primary}", insufficient_data_health_status="Unhealthy",
    tags={{"role": "{role}"}}, opts=in_east,
)
web = aws.route53.HealthCheck(
    "web", type="HTTPS", fqdn="api.example.com", port=443, resource_path="/health",
    request_interval=10, failure_threshold=2, opts=in_east,
)
zone = aws.route53.Zone("zone", name="{uid}.example.com", tags={{"role": "{role}"}},
                        opts=in_east)
aws.route53.Record(
    "api-primary", zone_id=zone.zone_id, name="api", type="A", ttl={ttl},
    records=["203.0.113.10"], set_identifier="primary", health_check_id=check.id,
    failover_routing_policies=[{{"type": "PRIMARY"}}], opts=in_east,
)
aws.route53.Record(
    "api-secondary", zone_id=zone.zone_id, name="api.{uid}.example.com", type="A", ttl={ttl},
    records=["198.51.100.10"], set_identifier="secondary",
    failover_routing_policies=[{{"type": "SECONDARY"}}], opts=in_east,
)
aws.route53.Record(
    "www", zone_id=zone.zone_id, name="www", type="A",
    aliases=[{{"name": "api.{uid}.example.com", "zone_id": zone.zone_id,
               "evaluate_target_health": True}}], opts=in_east,
)
secret = aws.secretsmanager.Secret(
    "db", kms_key_id=key_east.arn, recovery_window_in_days=0, tags={{"role": "{role}"}},
    replicas=[{{"region": "{secondary}", "kms_key_id": key_west.arn}}], opts=in_east,
)
aws.secretsmanager.SecretVersion("db-value", secret_id=secret.id,
                                 secret_string='{{"user": "app"}}', opts=in_east)
pulumi.export("zoneId", zone.zone_id)
pulumi.export("secretName", secret.name)
"""

failover = pytest.mark.xdist_group("adapters-failover")


def _source(**values: object) -> str:
    return STACK.format(primary=PRIMARY, secondary=SECONDARY, **values)


@pytest.fixture(scope="module")
def stack(project_factory, tmp_path_factory):
    uid = f"k{uuid.uuid4().hex[:8]}"
    values = {"uid": uid, "ttl": 60, "role": "primary"}
    engine = project_factory(tmp_path_factory.mktemp("failover"), _source(**values))
    state = engine.up()
    yield engine, state, values
    engine.destroy()
    engine.close()


@failover
def test_kms_keys_live_in_their_provider_region(stack, aws_client):
    _, state, values = stack
    east, west = state.named("key-east"), state.named("key-west")
    assert east.outputs["arn"].startswith(f"arn:aws:kms:{PRIMARY}:")
    assert west.outputs["arn"].startswith(f"arn:aws:kms:{SECONDARY}:")
    kms_east = aws_client("kms", region=PRIMARY)
    assert kms_east.get_key_rotation_status(KeyId=east.id)["KeyRotationEnabled"]
    tags = kms_east.list_resource_tags(KeyId=east.id)["Tags"]
    assert tags == [{"TagKey": "role", "TagValue": "primary"}]
    aliases = aws_client("kms", region=SECONDARY).list_aliases(KeyId=west.id)["Aliases"]
    assert [a["AliasName"] for a in aliases] == [f"alias/{values['uid']}-west"]
    with pytest.raises(ClientError):  # a key is regional
        aws_client("kms", region=SECONDARY).describe_key(KeyId=east.id)


@failover
def test_failover_records_and_alarm_health_check_are_stored(stack, aws_client):
    _, state, values = stack
    r53 = aws_client("route53")
    zone_id = state.outputs["zoneId"]
    records = {
        (rr["Name"], rr.get("SetIdentifier")): rr
        for rr in r53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    }
    api = f"api.{values['uid']}.example.com."
    primary, secondary = records[(api, "primary")], records[(api, "secondary")]
    assert primary["Failover"] == "PRIMARY" and primary["TTL"] == 60
    assert primary["HealthCheckId"] == state.named("primary-health").id
    assert primary["ResourceRecords"] == [{"Value": "203.0.113.10"}]
    assert secondary["Failover"] == "SECONDARY" and "HealthCheckId" not in secondary
    alias = records[(f"www.{values['uid']}.example.com.", None)]["AliasTarget"]
    assert alias["EvaluateTargetHealth"] is True
    # The relative name "api" was expanded with the zone's name, as the provider does.
    assert state.named("api-primary").outputs["fqdn"] == api.rstrip(".")
    assert state.named("api-primary").id == f"{zone_id}_api_A_primary"

    config = r53.get_health_check(HealthCheckId=state.named("primary-health").id)["HealthCheck"][
        "HealthCheckConfig"
    ]
    assert config["Type"] == "CLOUDWATCH_METRIC"
    assert config["AlarmIdentifier"] == {"Name": state.named("health").id, "Region": PRIMARY}
    assert config["InsufficientDataHealthStatus"] == "Unhealthy"
    web = r53.get_health_check(HealthCheckId=state.named("web").id)["HealthCheck"]
    assert web["HealthCheckConfig"]["ResourcePath"] == "/health"
    assert web["HealthCheckConfig"]["RequestInterval"] == 10


@failover
def test_secret_is_replicated_with_the_replica_regions_key(stack, aws_client):
    _, state, _ = stack
    name = state.outputs["secretName"]
    status = aws_client("secretsmanager", region=PRIMARY).describe_secret(SecretId=name)[
        "ReplicationStatus"
    ]
    assert status == [
        {
            "Region": SECONDARY,
            "KmsKeyId": state.named("key-west").outputs["arn"],
            "Status": "InSync",
            "StatusMessage": "Replication succeeded",
        }
    ]
    replica = aws_client("secretsmanager", region=SECONDARY)
    assert replica.get_secret_value(SecretId=name)["SecretString"] == '{"user": "app"}'
    assert replica.describe_secret(SecretId=name)["PrimaryRegion"] == PRIMARY


@failover
def test_second_preview_and_refresh_find_nothing_to_change(stack):
    engine, _, _ = stack
    assert engine.preview().pending == []
    assert engine.refresh() == []


@failover
def test_refresh_sees_out_of_band_changes(stack, aws_client):
    engine, state, _ = stack
    r53 = aws_client("route53")
    check_id = state.named("primary-health").id
    r53.update_health_check(HealthCheckId=check_id, InsufficientDataHealthStatus="Healthy")
    key_id = state.named("key-east").id
    aws_client("kms", region=PRIMARY).disable_key_rotation(KeyId=key_id)
    try:
        drift = {(d.name, d.property) for d in engine.refresh()}
        assert drift == {
            ("primary-health", "insufficientDataHealthStatus"),
            ("key-east", "enableKeyRotation"),
        }
    finally:
        r53.update_health_check(HealthCheckId=check_id, InsufficientDataHealthStatus="Unhealthy")
        aws_client("kms", region=PRIMARY).enable_key_rotation(KeyId=key_id)
    assert engine.refresh() == []


@failover
def test_updates_change_records_tags_and_checks_in_place(stack, aws_client):
    engine, state, values = stack
    new = {**values, "ttl": 30, "role": "standby"}
    (engine.spec.workdir / "__main__.py").write_text(textwrap.dedent(_source(**new)))
    changes = {c.name: c for c in engine.preview().pending}
    assert {n: (c.op, c.properties) for n, c in changes.items()} == {
        "api-primary": (Op.UPDATE, ["ttl"]),
        "api-secondary": (Op.UPDATE, ["ttl"]),
        "key-east": (Op.UPDATE, ["tags"]),
        "primary-health": (Op.UPDATE, ["tags"]),
        "zone": (Op.UPDATE, ["tags"]),
        "db": (Op.UPDATE, ["tags"]),
    }
    after = engine.up()
    r53 = aws_client("route53")
    ttls = {
        rr.get("SetIdentifier"): rr.get("TTL")
        for rr in r53.list_resource_record_sets(HostedZoneId=after.outputs["zoneId"])[
            "ResourceRecordSets"
        ]
        if rr["Type"] == "A"
    }
    assert ttls == {"primary": 30, "secondary": 30, None: None}
    tags = r53.list_tags_for_resource(
        ResourceType="healthcheck", ResourceId=after.named("primary-health").id
    )["ResourceTagSet"]["Tags"]
    assert tags == [{"Key": "role", "Value": "standby"}]
    secret = aws_client("secretsmanager").describe_secret(SecretId=after.outputs["secretName"])
    assert secret["Tags"] == [{"Key": "role", "Value": "standby"}]
    assert after.named("zone").id == state.named("zone").id  # updated, not replaced
    assert engine.preview().pending == []


@failover
def test_destroy_leaves_nothing_behind(project_factory, tmp_path, aws_client):
    uid = f"k{uuid.uuid4().hex[:8]}"
    engine = project_factory(tmp_path, _source(uid=uid, ttl=60, role="primary"))
    try:
        state = engine.up()
        engine.destroy()
        for res in state.managed():
            assert not engine.exists(res), res.name
        # Keys and secrets are only scheduled for deletion, as in AWS.
        key = state.named("key-west").id
        meta = aws_client("kms", region=SECONDARY).describe_key(KeyId=key)["KeyMetadata"]
        assert meta["KeyState"] == "PendingDeletion"
        with pytest.raises(ClientError):  # the replica went first, then the secret
            aws_client("secretsmanager", region=SECONDARY).describe_secret(
                SecretId=state.outputs["secretName"]
            )
    finally:
        engine.close()


def test_route53_refuses_a_second_primary_for_the_same_name(pulumi_project):
    uid = f"k{uuid.uuid4().hex[:8]}"
    engine = pulumi_project(
        f"""
        import pulumi_aws as aws

        zone = aws.route53.Zone("zone", name="{uid}.example.com")
        for n, ip in (("a", "203.0.113.10"), ("b", "198.51.100.10")):
            aws.route53.Record(
                n, zone_id=zone.zone_id, name="api", type="A", ttl=60, records=[ip],
                set_identifier=n, failover_routing_policies=[{{"type": "PRIMARY"}}],
            )
        """
    )
    with pytest.raises(HarnessError, match=r"InvalidChangeBatch.*one PRIMARY and one SECONDARY"):
        engine.up()
    engine.destroy()


def test_provider_validation_of_records_and_health_checks(pulumi_project):
    uid = f"k{uuid.uuid4().hex[:8]}"
    engine = pulumi_project(
        f"""
        import pulumi_aws as aws

        zone = aws.route53.Zone("zone", name="{uid}.example.com")
        aws.route53.Record(
            "both", zone_id=zone.zone_id, name="www", type="A", ttl=60, records=["192.0.2.1"],
            aliases=[{{"name": "x.{uid}.example.com", "zone_id": zone.zone_id,
                       "evaluate_target_health": False}}],
        )
        """
    )
    with pytest.raises(HarnessError, match="conflicts with ttl and records"):
        engine.up()
    engine.destroy()
    engine = pulumi_project(
        """
        import pulumi_aws as aws

        aws.route53.HealthCheck("blind", type="CLOUDWATCH_METRIC")
        """
    )
    with pytest.raises(HarnessError, match="cloudwatch_alarm_name"):
        engine.up()
    engine.destroy()
