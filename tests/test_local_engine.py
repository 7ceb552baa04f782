"""The local engine against the embedded moto: every claim is checked in moto itself.

Program runs cost about a second each, so one module-scoped deployment serves the
lifecycle checks; tests that change a stack have a small stack of their own. The
lifecycle checks are grouped for xdist, but do not rely on it: a worker that runs any
of them deploys its own copy, and checks that touch it out of band put it back.
"""

from __future__ import annotations

import json
import textwrap
import uuid

import pytest
from botocore.exceptions import ClientError

from harness.engines.base import Op
from harness.engines.local.applier import Applier, Registration
from harness.engines.state import ResourceState, StackState

# One line: it is pasted into indented program templates before they are dedented.
ASSUME_LAMBDA = (
    'json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
    '"Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]})'
)

LIFECYCLE = f"""
import json
import pulumi
import pulumi_aws as aws

bucket = aws.s3.Bucket("data")
aws.s3.BucketVersioning(
    "data-versioning", bucket=bucket.id, versioning_configuration={{"status": "Enabled"}}
)
role = aws.iam.Role("app", assume_role_policy={ASSUME_LAMBDA}, tags={{"team": "data"}})
doc = aws.iam.get_policy_document_output(statements=[
    {{"actions": ["s3:GetObject", "s3:PutObject"],
      "resources": [bucket.arn.apply(lambda arn: f"{{arn}}/*")]}},
    {{"sid": "List", "actions": ["s3:ListBucket"], "resources": [bucket.arn]}},
])
aws.iam.RolePolicy("app-s3", role=role.id, policy=doc.json)
queue = aws.sqs.Queue("jobs", visibility_timeout_seconds=45)
pulumi.export("bucket", bucket.bucket)
pulumi.export("roleArn", role.arn)
pulumi.export("queueUrl", queue.url)
pulumi.export("policy", doc.json)
"""

# What terraform-provider-aws's aws_iam_policy_document renders for the statements
# above (json.MarshalIndent, two spaces; no empty Sid; several actions reverse-sorted,
# a single one as a string). pulumi-aws is bridged from it, so `pulumi up` sends this.
TERRAFORM_RENDERED = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "s3:PutObject",
        "s3:GetObject"
      ],
      "Resource": "arn:aws:s3:::BUCKET/*"
    },
    {
      "Sid": "List",
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::BUCKET"
    }
  ]
}"""

lifecycle = pytest.mark.xdist_group("local-engine-lifecycle")


@pytest.fixture(scope="module")
def deployed(project_factory, tmp_path_factory):
    """The lifecycle stack: previewed once, then deployed; destroyed after the module."""
    engine = project_factory(tmp_path_factory.mktemp("lifecycle"), LIFECYCLE)
    plan = engine.preview()
    state = engine.up()
    yield engine, plan, state
    engine.destroy()
    engine.close()


def _changes(plan):
    return {c.name: c for c in plan.changes}


@lifecycle
def test_up_creates_resources_in_moto_with_real_ids_and_exports(deployed, aws_client):
    engine, _, state = deployed
    bucket, role, queue = state.named("data"), state.named("app"), state.named("jobs")

    aws_client("s3").head_bucket(Bucket=bucket.id)  # raises if the bucket is not there
    live_role = aws_client("iam").get_role(RoleName=role.id)["Role"]
    live_queue = aws_client("sqs").get_queue_attributes(
        QueueUrl=queue.id, AttributeNames=["VisibilityTimeout", "QueueArn"]
    )["Attributes"]

    assert state.outputs["bucket"] == bucket.id == bucket.outputs["bucket"]
    assert state.outputs["roleArn"] == live_role["Arn"] == role.outputs["arn"]
    assert state.outputs["queueUrl"] == queue.id == queue.outputs["url"]
    assert live_queue["QueueArn"] == queue.outputs["arn"]
    assert live_queue["VisibilityTimeout"] == "45"
    assert {t["Key"]: t["Value"] for t in live_role["Tags"]} == {"team": "data"}
    # The state file on disk is the same document the engine returned.
    assert StackState.read(engine.spec.state_file).outputs == state.outputs


@lifecycle
def test_auto_names_are_the_same_in_preview_and_up(deployed):
    _, plan, state = deployed
    planned = {r.name: r for r in plan.resources}
    assert planned["data"].inputs["bucket"].startswith("data-")
    for name, key in (("data", "bucket"), ("app", "name"), ("jobs", "name")):
        assert planned[name].inputs[key] == state.named(name).inputs[key]
    assert {c.op for c in plan.changes if c.type != "pulumi:providers:aws"} == {Op.CREATE}


@lifecycle
def test_dependent_policy_gets_the_bucket_arn_rendered_as_terraform_does(deployed, aws_client):
    _, _, state = deployed
    bucket = state.outputs["bucket"]
    expected = TERRAFORM_RENDERED.replace("BUCKET", bucket)
    assert state.outputs["policy"] == expected  # byte for byte, formatting included

    policy = state.named("app-s3")
    live = aws_client("iam").get_role_policy(
        RoleName=state.named("app").id, PolicyName=policy.inputs["name"]
    )["PolicyDocument"]
    assert live == json.loads(expected)
    # The dependency is recorded, so destroy and policy graphs can follow it.
    assert state.named("data").urn in policy.property_dependencies["policy"]


@lifecycle
def test_second_preview_after_up_wants_no_changes(deployed):
    engine, _, _ = deployed
    plan = engine.preview()
    assert plan.pending == []
    assert {c.name for c in plan.changes} >= {"data", "data-versioning", "app", "app-s3", "jobs"}


@lifecycle
def test_refresh_reports_out_of_band_changes(deployed, aws_client):
    engine, _, state = deployed
    iam, s3 = aws_client("iam"), aws_client("s3")
    role, bucket = state.named("app").id, state.outputs["bucket"]
    policy_name = state.named("app-s3").inputs["name"]
    assert engine.refresh() == []  # nothing drifted yet

    iam.tag_role(RoleName=role, Tags=[{"Key": "oob", "Value": "1"}])
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    wide = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }
    iam.put_role_policy(RoleName=role, PolicyName=policy_name, PolicyDocument=json.dumps(wide))
    try:
        drift = {(d.name, d.property): d for d in engine.refresh()}
    finally:  # put the stack back as deployed for the tests after this one
        iam.untag_role(RoleName=role, TagKeys=["oob"])
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        iam.put_role_policy(
            RoleName=role, PolicyName=policy_name, PolicyDocument=state.outputs["policy"]
        )

    assert set(drift) == {
        ("app", "tags"),
        ("data-versioning", "versioningConfiguration"),
        ("app-s3", "policy"),
    }
    assert drift[("app", "tags")].actual == {"team": "data", "oob": "1"}
    assert drift[("app", "tags")].expected == {"team": "data"}
    assert drift[("data-versioning", "versioningConfiguration")].actual["status"] == "Suspended"
    actual = drift[("app-s3", "policy")].actual  # boto3 hands the document back parsed
    assert (json.loads(actual) if isinstance(actual, str) else actual) == wide
    assert all(d.kind == "changed" for d in drift.values())
    assert engine.refresh() == []  # restored: refresh agrees again


@lifecycle
def test_refresh_reports_a_resource_deleted_out_of_band(deployed, aws_client):
    engine, _, state = deployed
    queue = state.named("jobs")
    sqs = aws_client("sqs")
    sqs.delete_queue(QueueUrl=queue.id)
    try:
        drift = engine.refresh()
    finally:
        sqs.create_queue(QueueName=queue.inputs["name"], Attributes={"VisibilityTimeout": "45"})
    assert [(d.name, d.kind, d.property) for d in drift] == [("jobs", "deleted", "")]


def test_update_replace_delete_and_ignore_changes(pulumi_project, aws_client):
    uid = uuid.uuid4().hex[:8]
    program = """
        import json
        import pulumi
        import pulumi_aws as aws

        svc = aws.iam.Role("svc", assume_role_policy={assume}, tags={{"env": "{env}"}})
        aws.iam.RolePolicy("svc-inline", role=svc.id, policy=json.dumps({{
            "Version": "2012-10-17",
            "Statement": [{{"Effect": "Allow", "Action": "{action}", "Resource": "*"}}],
        }}))
        pinned = aws.iam.Role(
            "pinned", assume_role_policy={assume}, tags={{"owner": "{owner}"}},
            opts=pulumi.ResourceOptions(ignore_changes=["tags"]),
        )
        aws.sqs.Queue("work", name="{queue}")
        {extra}
    """
    v1 = dict(
        assume=ASSUME_LAMBDA,
        env="a",
        action="s3:GetObject",
        owner="x",
        queue=f"work-{uid}",
        extra='aws.s3.Bucket("scratch")',
    )
    engine = pulumi_project(program.format(**v1))
    before = engine.up()
    old_queue = before.named("work").id
    scratch = before.named("scratch").id
    svc = before.named("svc").id
    policy_name = before.named("svc-inline").inputs["name"]

    v2 = {**v1, "env": "b", "action": "s3:PutObject", "owner": "y", "queue": f"work2-{uid}"}
    v2_source = textwrap.dedent(program.format(**{**v2, "extra": ""}))
    (engine.spec.workdir / "__main__.py").write_text(v2_source)
    changes = _changes(engine.preview())
    assert (changes["svc"].op, changes["svc"].properties) == (Op.UPDATE, ["tags"])
    assert (changes["svc-inline"].op, changes["svc-inline"].properties) == (Op.UPDATE, ["policy"])
    assert changes["work"].op == Op.REPLACE and "name" in changes["work"].properties
    assert changes["scratch"].op == Op.DELETE
    assert changes["pinned"].op == Op.SAME  # its tags changed, but they are ignored
    aws_client("s3").head_bucket(Bucket=scratch)  # preview deleted nothing

    after = engine.up()
    iam, sqs = aws_client("iam"), aws_client("sqs")
    assert {t["Key"]: t["Value"] for t in iam.get_role(RoleName=svc)["Role"]["Tags"]} == {
        "env": "b"
    }
    doc = iam.get_role_policy(RoleName=svc, PolicyName=policy_name)["PolicyDocument"]
    assert doc["Statement"][0]["Action"] == "s3:PutObject"
    new_queue = after.named("work").id
    assert new_queue != old_queue and new_queue.endswith(f"/work2-{uid}")
    sqs.get_queue_attributes(QueueUrl=new_queue)
    with pytest.raises(ClientError):
        sqs.get_queue_attributes(QueueUrl=old_queue)
    with pytest.raises(ClientError):
        aws_client("s3").head_bucket(Bucket=scratch)
    assert "scratch" not in {r.name for r in after.resources}
    pinned = after.named("pinned").id
    assert iam.get_role(RoleName=pinned)["Role"]["Tags"] == [{"Key": "owner", "Value": "x"}]

    # Out-of-band tags: drift on svc, none on pinned, whose tags are ignored.
    iam.tag_role(RoleName=pinned, Tags=[{"Key": "owner", "Value": "z"}])
    iam.tag_role(RoleName=svc, Tags=[{"Key": "env", "Value": "z"}])
    assert [(d.name, d.property) for d in engine.refresh()] == [("svc", "tags")]
    engine.destroy()


def test_destroy_follows_dependencies_and_honours_protect_and_retain(pulumi_project, aws_client):
    engine = pulumi_project(
        f"""
        import json
        import pulumi
        import pulumi_aws as aws

        role = aws.iam.Role("r", assume_role_policy={ASSUME_LAMBDA})
        aws.iam.RolePolicy("rp", role=role.id, policy=json.dumps({{
            "Version": "2012-10-17",
            "Statement": [{{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}],
        }}))
        b2 = aws.s3.Bucket("b2")
        aws.s3.BucketVersioning(
            "b2-versioning", bucket=b2.id, versioning_configuration={{"status": "Enabled"}}
        )
        aws.s3.Bucket("keep", opts=pulumi.ResourceOptions(protect=True))
        aws.sqs.Queue("kept", opts=pulumi.ResourceOptions(retain_on_delete=True))
        """
    )
    state = engine.up()
    urn = {r.name: r.urn for r in state.resources}
    result = engine.destroy()

    assert result.protected == [urn["keep"]]
    assert result.retained == [urn["kept"]]
    order = result.deleted
    assert order.index(urn["rp"]) < order.index(urn["r"])  # the policy before its role
    assert order.index(urn["b2-versioning"]) < order.index(urn["b2"])
    for res in state.managed():
        assert engine.exists(res) == (res.name in ("keep", "kept")), res.name
    aws_client("s3").head_bucket(Bucket=state.named("keep").id)
    aws_client("sqs").get_queue_attributes(QueueUrl=state.named("kept").id)
    # Only the protected resource stays in state: it is still ours to manage.
    assert [r.name for r in engine.state().resources] == ["keep"]

    aws_client("s3").delete_bucket(Bucket=state.named("keep").id)
    aws_client("sqs").delete_queue(QueueUrl=state.named("kept").id)


def test_explicit_provider_region_places_the_bucket_there(pulumi_project, aws_client):
    engine = pulumi_project(
        """
        import pulumi
        import pulumi_aws as aws

        ireland = aws.Provider("ireland", region="eu-west-1")
        aws.s3.Bucket("eu", opts=pulumi.ResourceOptions(provider=ireland))
        aws.s3.Bucket("home")
        """
    )
    state = engine.up()
    s3 = aws_client("s3")
    eu, home = state.named("eu"), state.named("home")
    assert s3.get_bucket_location(Bucket=eu.id)["LocationConstraint"] == "eu-west-1"
    assert s3.get_bucket_location(Bucket=home.id)["LocationConstraint"] is None  # us-east-1
    assert (eu.region, home.region) == ("eu-west-1", "us-east-1")
    assert eu.provider == state.named("ireland").urn
    assert eu.outputs["region"] == "eu-west-1"
    engine.destroy()
    assert not engine.exists(eu)


def test_thirty_resources_registered_concurrently_all_exist(pulumi_project, aws_client):
    engine = pulumi_project(
        """
        import pulumi_aws as aws

        for i in range(10):
            aws.sqs.Queue(f"q{i}")
            aws.s3.Bucket(f"b{i}")
            aws.iam.User(f"u{i}")
        """
    )
    state = engine.up()
    managed = state.managed()
    assert len(managed) == 30
    assert len({r.id for r in managed}) == 30
    assert all(r.id for r in managed)
    buckets = {b["Name"] for b in aws_client("s3").list_buckets()["Buckets"]}
    users = {u["UserName"] for u in aws_client("iam").list_users()["Users"]}
    for res in managed:
        if res.type == "aws:s3/bucket:Bucket":
            assert res.id in buckets
        elif res.type == "aws:iam/user:User":
            assert res.id in users
        else:
            aws_client("sqs").get_queue_attributes(QueueUrl=res.id)
    engine.destroy()
    assert not any(engine.exists(r) for r in managed)


def test_replace_properties_stay_with_their_change_under_concurrent_registration():
    """Another thread's change may be recorded right after a REPLACE (preview, no AWS)."""
    applier = Applier(
        endpoint="http://127.0.0.1:9",
        stack="dev",
        default_region="us-east-1",
        account_id="123456789012",
        apply=False,
        prior={
            "urn:q": ResourceState(
                urn="urn:q", type="aws:sqs/queue:Queue", name="q", id="url", inputs={"name": "a"}
            )
        },
    )

    def registration(urn, name):
        return Registration(
            urn, "aws:sqs/queue:Queue", name, "", "", [], {}, False, False, [], True
        )

    record = applier._record

    def interleaved(reg, *args, **kwargs):
        record(reg, *args, **kwargs)
        if reg.name == "q":  # what a concurrent RegisterResource can do at this moment
            record(registration("urn:other", "other"), "", {}, {}, "us-east-1", Op.CREATE)

    applier._record = interleaved
    applier.register(registration("urn:q", "q"), {"name": "b"})
    changes = {c.name: c for c in applier.changes}
    assert (changes["q"].op, changes["q"].properties) == (Op.REPLACE, ["name"])
    assert changes["other"].properties == []
