"""refresh sees every kind of out-of-band change the drills make, and ``up(refresh=True)``
puts it back. One module-scoped stack (a program run costs about a second); each check
undoes its drill, so the stack is as deployed for the next one.

Also: the adapters' read spells what is unchanged as the program does (no false
drift), ignored properties are reported only when asked, and the refresh report.
"""

from __future__ import annotations

import json

import pytest

from harness.drift_report import drift_report
from harness.drills.out_of_band import OutOfBand
from harness.emulator import ACCOUNT_ID
from harness.engines.base import Drift
from harness.engines.pulumi_engine import drift_between
from harness.engines.state import ResourceState, StackState

REGION = "us-east-1"
STACK = """
import json
import pulumi
import pulumi_aws as aws

TAGS = {"owner": "platform", "cost-center": "cc-42"}
bucket = aws.s3.Bucket("data", tags=TAGS)
aws.s3.BucketVersioning("data-versioning", bucket=bucket.id,
                        versioning_configuration={"status": "Enabled"})
aws.s3.BucketServerSideEncryptionConfiguration(
    "data-encryption", bucket=bucket.id,
    rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}])
block = aws.s3.BucketPublicAccessBlock(
    "data-public-access", bucket=bucket.id, block_public_acls=True, block_public_policy=True,
    ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketPolicy("data-policy", bucket=bucket.id, policy=bucket.arn.apply(
    lambda arn: json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [arn, f"{arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})),
    opts=pulumi.ResourceOptions(depends_on=[block]))
web = aws.ec2.SecurityGroup("web", description="web tier", tags=TAGS,
    ingress=[{"protocol": "tcp", "from_port": 443, "to_port": 443,
              "cidr_blocks": ["10.0.0.0/16", "10.1.0.0/16"], "description": "https"}],
    egress=[{"protocol": "tcp", "from_port": 5432, "to_port": 5432,
             "cidr_blocks": ["10.0.0.0/16"], "description": "db"},
            {"protocol": "tcp", "from_port": 443, "to_port": 443, "self": True,
             "description": "peers"}])
role = aws.iam.Role("app", tags=TAGS, assume_role_policy=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
    "Principal": {"Service": "ec2.amazonaws.com"}}]}))
read = aws.iam.RolePolicy("app-read", role=role.id, policy=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ssm:GetParameter",
    "Resource": "*"}]}))
aws.iam.RolePoliciesExclusive("app-inline-only", role_name=role.name, policy_names=[read.name])
level = aws.ssm.Parameter("log-level", type="String", value="INFO", tags=TAGS,
                          description="log level")
cursor = aws.ssm.Parameter("cursor", type="String", value="0", tags=TAGS,
                           opts=pulumi.ResourceOptions(ignore_changes=["value"]))
aws.ssm.Parameter("db-password", type="SecureString", value="s3cret", tags=TAGS)
alerts = aws.sns.Topic("alerts", tags=TAGS)
guard = aws.cloudwatch.EventRule("guard", tags=TAGS, event_pattern=json.dumps({
    "source": ["aws.ec2"], "detail-type": ["AWS API Call via CloudTrail"],
    "detail": {"eventName": ["AuthorizeSecurityGroupIngress"]}}))
aws.cloudwatch.EventTarget("guard-page", rule=guard.name, arn=alerts.arn)
"""

stack_group = pytest.mark.xdist_group("drift-refresh")


@pytest.fixture(scope="module")
def deployed(project_factory, tmp_path_factory):
    engine = project_factory(tmp_path_factory.mktemp("drift"), STACK)
    state = engine.up()
    yield engine, state
    engine.destroy()
    engine.close()


@pytest.fixture(scope="module")
def drills(aws_client):
    return OutOfBand(
        lambda service, region=None: aws_client(service, region or REGION), REGION, ACCOUNT_ID
    )


def _found(engine, include_ignored=False):
    return sorted(
        (d.name, d.property, d.kind) for d in engine.refresh(include_ignored=include_ignored)
    )


@stack_group
def test_a_fresh_deploy_has_no_drift_and_needs_no_changes(deployed):
    engine, _ = deployed
    assert engine.refresh(include_ignored=True) == []
    assert engine.preview().pending == []


# (drill, resource it acts on, what refresh must report)
DRILLS = {
    "open_security_group": ("web", [("web", "ingress", "changed")]),
    "suspend_versioning": ("data", [("data-versioning", "versioningConfiguration", "changed")]),
    "delete_bucket_encryption": ("data", [("data-encryption", "", "deleted")]),
    "delete_public_access_block": ("data", [("data-public-access", "", "deleted")]),
    "put_inline_role_policy": ("app", [("app-inline-only", "policyNames", "changed")]),
    "delete_parameter": ("log-level", [("log-level", "", "deleted")]),
}


@stack_group
@pytest.mark.parametrize("drill", sorted(DRILLS))
def test_refresh_reports_exactly_what_the_drill_changed(deployed, drills, drill):
    engine, state = deployed
    target, expected = DRILLS[drill]
    change = getattr(drills, drill)(state.named(target))
    try:
        found = _found(engine)
    finally:
        change.undo()
    assert found == expected
    assert engine.refresh() == []  # undone: nothing left over


@stack_group
def test_refresh_reports_a_public_bucket_policy(deployed, drills):
    engine, state = deployed
    unblocked = drills.delete_public_access_block(state.named("data"))
    public = drills.put_public_bucket_policy(state.named("data"))
    try:
        drift = {(d.name, d.property, d.kind): d for d in engine.refresh()}
    finally:
        public.undo()
        unblocked.undo()
    assert set(drift) == {
        ("data-public-access", "", "deleted"),
        ("data-policy", "policy", "changed"),
    }
    actual = drift[("data-policy", "policy", "changed")].actual
    assert json.loads(actual)["Statement"][0]["Principal"] == "*"


@stack_group
@pytest.mark.parametrize("target", ["data", "web", "app", "log-level"])
def test_refresh_reports_changed_and_deleted_tags(deployed, drills, target):
    engine, state = deployed
    resource = state.named(target)
    changed = drills.change_tag(resource, "owner", "someone-else")
    try:
        drift = engine.refresh()
    finally:
        changed.undo()
    assert [(d.name, d.property) for d in drift] == [(target, "tags")]
    assert drift[0].actual == {"owner": "someone-else", "cost-center": "cc-42"}
    assert drift[0].expected == {"owner": "platform", "cost-center": "cc-42"}

    deleted = drills.delete_tag(resource, "cost-center")
    try:
        drift = engine.refresh()
    finally:
        deleted.undo()
    assert [(d.name, d.property, d.actual) for d in drift] == [
        (target, "tags", {"owner": "platform"})
    ]


@stack_group
def test_ignored_properties_are_reported_only_when_asked(deployed, drills):
    engine, state = deployed
    change = drills.service_writes_parameter(state.named("cursor"), "1234")
    try:
        plain = engine.refresh()
        everything = engine.refresh(include_ignored=True)
    finally:
        change.undo()
    assert plain == []
    assert [(d.name, d.property, d.ignored, d.actual) for d in everything] == [
        ("cursor", "value", True, "1234")
    ]


@stack_group
def test_a_disabled_guard_rule_is_drift(deployed, aws_client):
    engine, state = deployed
    events = aws_client("events")
    events.disable_rule(Name=state.named("guard").id)
    try:
        drift = engine.refresh()
    finally:
        events.enable_rule(Name=state.named("guard").id)
    assert [(d.name, d.property, d.actual) for d in drift] == [("guard", "state", "DISABLED")]


@stack_group
def test_security_group_rules_read_back_in_the_program_s_spelling(deployed, aws_client):
    _, state = deployed
    web = state.named("web")
    group = aws_client("ec2").describe_security_groups(GroupIds=[web.id])["SecurityGroups"][0]
    egress = {
        (p.get("FromPort"), tuple(sorted(r["CidrIp"] for r in p["IpRanges"])))
        for p in group["IpPermissionsEgress"]
    }
    # AWS's allow-all egress is gone (the provider removes it); "self" is the group itself.
    assert egress == {(5432, ("10.0.0.0/16",)), (443, ())}
    peers = next(p for p in group["IpPermissionsEgress"] if p["FromPort"] == 443)
    assert [g["GroupId"] for g in peers["UserIdGroupPairs"]] == [web.id]
    assert web.outputs["arn"].endswith(f":security-group/{web.id}")


@stack_group
def test_up_with_refresh_restores_every_drill_and_keeps_the_ignored_value(
    deployed, drills, aws_client
):
    engine, state = deployed
    named = state.named
    drills.open_security_group(named("web"))
    drills.suspend_versioning(named("data"))
    drills.delete_bucket_encryption(named("data"))
    drills.delete_public_access_block(named("data"))
    drills.put_public_bucket_policy(named("data"))
    drills.put_inline_role_policy(named("app"))
    drills.change_tag(named("web"), "owner", "someone-else")
    drills.delete_parameter(named("log-level"))
    drills.service_writes_parameter(named("cursor"), "1234")
    assert len(engine.refresh()) == 8

    assert engine.preview().pending == []  # plain up compares with the state: sees nothing
    engine.up(refresh=True)

    assert engine.refresh(include_ignored=True) == []
    s3, ec2, iam, ssm = (aws_client(s) for s in ("s3", "ec2", "iam", "ssm"))
    bucket = named("data").id
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    s3.get_bucket_encryption(Bucket=bucket)
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    assert "TlsOnly" in s3.get_bucket_policy(Bucket=bucket)["Policy"]
    ingress = ec2.describe_security_groups(GroupIds=[named("web").id])["SecurityGroups"][0]
    assert {r["CidrIp"] for p in ingress["IpPermissions"] for r in p["IpRanges"]} == {
        "10.0.0.0/16",
        "10.1.0.0/16",
    }
    assert iam.list_role_policies(RoleName=named("app").id)["PolicyNames"] == [
        named("app-read").inputs["name"]
    ]
    assert ssm.get_parameter(Name=named("log-level").id)["Parameter"]["Value"] == "INFO"
    # The service's own value survives remediation: ignore_changes keeps it.
    assert ssm.get_parameter(Name=named("cursor").id)["Parameter"]["Value"] == "1234"
    assert engine.preview().pending == []


def test_the_report_document(tmp_path):
    drifts = [
        Drift("urn:b", "aws:ssm/parameter:Parameter", "level", "", "deleted", expected="/a/l"),
        Drift(
            "urn:a", "aws:ec2/securityGroup:SecurityGroup", "web", "tags", "changed", {}, {"a": "1"}
        ),
        Drift("urn:c", "aws:ssm/parameter:Parameter", "cursor", "value", "changed", "0", "9", True),
    ]
    report = drift_report(drifts, project="p", stack="dev")
    assert json.loads(json.dumps(report)) == report  # plain JSON
    assert [(e["name"], e["property"]) for e in report["drift"]] == [
        ("cursor", "value"),
        ("level", ""),
        ("web", "tags"),
    ]
    assert report["drift"][0] == {
        "urn": "urn:c",
        "type": "aws:ssm/parameter:Parameter",
        "name": "cursor",
        "property": "value",
        "kind": "changed",
        "expected": "0",
        "actual": "9",
        "ignored": True,
    }
    assert report["summary"] == {"changed": 1, "deleted": 1, "ignored": 1}
    assert (report["version"], report["project"], report["stack"]) == (1, "p", "dev")
    with pytest.raises(ValueError, match="kind"):
        drift_report([Drift("u", "t", "n", "p", "moved")])


def test_the_pulumi_engine_reports_ignored_properties_when_asked():
    def state(value: str) -> StackState:
        res = ResourceState(
            urn="urn:c",
            type="aws:ssm/parameter:Parameter",
            name="cursor",
            id="/c",
            inputs={"value": "0", "type": "String"},
            outputs={"value": value, "type": "String"},
            ignore_changes=["value"],
        )
        return StackState(project="p", stack="dev", resources=[res])

    before, after = state("0"), state("9")
    assert drift_between(before, after) == []
    found = drift_between(before, after, include_ignored=True)
    assert [(d.property, d.expected, d.actual, d.ignored) for d in found] == [
        ("value", "0", "9", True)
    ]
