"""The inputs users set inline are applied, not dropped: Bucket versioning, encryption,
website, lifecycle rules, ACL, policy, CORS; Role managed_policy_arns and
inline_policies (exclusive, as the provider documents); SQS redrive_allow_policy; and
the separate website, lifecycle, CORS and ownership-controls resources (and, riding along,
an ECR repository and a topic policy).

One stack walks the life: deploy (every claim read back from moto), converge (a second
preview is empty, refresh finds no drift), an out-of-band policy attachment (refresh
reports it, ``up`` takes it away), a changed program (blocks removed are taken away),
destroy.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.request import urlopen

import pytest
from botocore.exceptions import ClientError

from harness.emulator import start_embedded
from harness.engines.base import Op, ProgramSpec
from harness.engines.local import LocalEngine

READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"

PROGRAM = """
import json
import pulumi
import pulumi_aws as aws

full = pulumi.Config().get_bool("full")
data = aws.s3.Bucket(
    "data",
    versioning={{"enabled": True}},
    server_side_encryption_configuration={{
        "rule": {{"apply_server_side_encryption_by_default": {{"sse_algorithm": "aws:kms"}},
                  "bucket_key_enabled": True}}
    }},
    acl="private",
    cors_rules=[{{"allowed_methods": ["GET"], "allowed_origins": ["https://example.com"],
                  "max_age_seconds": 300}}] if full else None,
    lifecycle_rules=[{{"id": "expire-tmp", "enabled": True, "prefix": "tmp/",
                       "expiration": {{"days": 7}},
                       "noncurrent_version_expiration": {{"days": 30}}}}] if full else None,
    website={{"index_document": "index.html", "error_document": "error.html"}} if full else None,
)
open_bucket = aws.s3.Bucket(
    "open",
    policy=json.dumps({{"Version": "2012-10-17", "Statement": [{{
        "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": "arn:aws:s3:::{uid}-open/*",
        "Condition": {{"Bool": {{"aws:SecureTransport": "false"}}}}}}]}}),
    bucket="{uid}-open",
)
site = aws.s3.Bucket("site")
aws.s3.BucketWebsiteConfiguration(
    "site-website", bucket=site.id, index_document={{"suffix": "index.html"}},
    routing_rules=[{{"condition": {{"key_prefix_equals": "docs/"}},
                     "redirect": {{"replace_key_prefix_with": "documents/"}}}}],
)
aws.s3.BucketLifecycleConfiguration(
    "site-lifecycle", bucket=site.id,
    rules=[{{"id": "logs", "status": "Enabled", "filter": {{"prefix": "logs/"}},
             "expiration": {{"days": 90}}}}],
)
# No key: pulumi-aws names the object after the resource (folder uploads rely on it).
aws.s3.BucketObject("index.html", bucket=site.id, content="<h1>hi</h1>",
                    content_type="text/html")
aws.s3.BucketCorsConfiguration(
    "site-cors", bucket=site.id,
    cors_rules=[{{"allowed_methods": ["GET", "HEAD"], "allowed_origins": ["*"]}}],
)
policy = aws.iam.Policy("reader", policy=json.dumps({{"Version": "2012-10-17", "Statement": [
    {{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}]}}))
role = aws.iam.Role(
    "app",
    assume_role_policy=json.dumps({{"Version": "2012-10-17", "Statement": [{{
        "Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {{"Service": "lambda.amazonaws.com"}}}}]}}),
    managed_policy_arns=["{read_only}", policy.arn] if full else ["{read_only}"],
    inline_policies=[{{"name": "queue", "policy": json.dumps({{"Version": "2012-10-17",
        "Statement": [{{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}}]}})}}]
    if full else [{{}}],
)
dlq = aws.sqs.Queue("dlq", redrive_allow_policy=json.dumps(
    {{"redrivePermission": "denyAll"}}))
repo = aws.ecr.Repository("app", image_scanning_configuration={{"scan_on_push": True}},
                          image_tag_mutability="IMMUTABLE", force_delete=True)
topic = aws.sns.Topic("events")
aws.sns.TopicPolicy("events-policy", arn=topic.arn, policy=topic.arn.apply(
    lambda arn: json.dumps({{"Version": "2012-10-17", "Statement": [{{
        "Effect": "Allow", "Principal": {{"Service": "events.amazonaws.com"}},
        "Action": "sns:Publish", "Resource": arn}}]}})))
aws.s3.BucketOwnershipControls("site-ownership", bucket=site.id,
                               rule={{"object_ownership": "BucketOwnerEnforced"}})
pulumi.export("repo", repo.name)
pulumi.export("topic", topic.arn)
pulumi.export("data", data.bucket)
pulumi.export("site", site.bucket)
pulumi.export("open", open_bucket.bucket)
pulumi.export("role", role.name)
pulumi.export("policy", policy.arn)
pulumi.export("dlq", dlq.url)
"""

pytestmark = pytest.mark.xdist_group("adapters-inline-inputs")


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory, project_factory: Callable[..., LocalEngine]
) -> Iterator[LocalEngine]:
    uid = f"inl{uuid.uuid4().hex[:8]}"
    engine = project_factory(
        tmp_path_factory.mktemp("inline"), PROGRAM.format(uid=uid, read_only=READ_ONLY)
    )
    engine.spec.config[f"{engine.spec.project}:full"] = "true"
    yield engine
    engine.destroy()
    engine.close()


def test_inline_inputs_reach_the_emulator(stack: LocalEngine, aws_client) -> None:
    out = stack.up().outputs
    s3, iam = aws_client("s3"), aws_client("iam")
    data = out["data"]
    assert s3.get_bucket_versioning(Bucket=data)["Status"] == "Enabled"
    rule = s3.get_bucket_encryption(Bucket=data)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert rule["BucketKeyEnabled"] is True
    cors = s3.get_bucket_cors(Bucket=data)["CORSRules"]
    assert cors[0]["AllowedOrigins"] == ["https://example.com"] and cors[0]["MaxAgeSeconds"] == 300
    (life,) = s3.get_bucket_lifecycle_configuration(Bucket=data)["Rules"]
    assert life["ID"] == "expire-tmp" and life["Expiration"]["Days"] == 7
    assert life["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30
    assert s3.get_bucket_website(Bucket=data)["IndexDocument"] == {"Suffix": "index.html"}
    open_policy = json.loads(s3.get_bucket_policy(Bucket=out["open"])["Policy"])
    assert open_policy["Statement"][0]["Effect"] == "Deny"

    site = out["site"]
    website = s3.get_bucket_website(Bucket=site)
    assert website["RoutingRules"][0]["Redirect"]["ReplaceKeyPrefixWith"] == "documents/"
    (logs,) = s3.get_bucket_lifecycle_configuration(Bucket=site)["Rules"]
    assert logs["Filter"] == {"Prefix": "logs/"} and logs["Expiration"]["Days"] == 90
    assert s3.get_bucket_cors(Bucket=site)["CORSRules"][0]["AllowedMethods"] == ["GET", "HEAD"]
    index = s3.get_object(Bucket=site, Key="index.html")
    assert index["Body"].read() == b"<h1>hi</h1>" and index["ContentType"] == "text/html"

    (repo,) = aws_client("ecr").describe_repositories(repositoryNames=[out["repo"]])["repositories"]
    assert repo["imageTagMutability"] == "IMMUTABLE"
    assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
    topic_policy = aws_client("sns").get_topic_attributes(TopicArn=out["topic"])["Attributes"]
    assert json.loads(topic_policy["Policy"])["Statement"][0]["Principal"] == {
        "Service": "events.amazonaws.com"
    }
    ownership = s3.get_bucket_ownership_controls(Bucket=site)["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    attached = iam.list_attached_role_policies(RoleName=out["role"])["AttachedPolicies"]
    assert {p["PolicyArn"] for p in attached} == {READ_ONLY, out["policy"]}
    assert iam.list_role_policies(RoleName=out["role"])["PolicyNames"] == ["queue"]


def test_it_converges(stack: LocalEngine) -> None:
    changes = [c for c in stack.preview().changes if c.op != Op.SAME]
    assert changes == []
    assert stack.refresh() == []


def test_out_of_band_attachment_is_drift_and_taken_away(stack: LocalEngine, aws_client) -> None:
    iam = aws_client("iam")
    role = stack.state().outputs["role"]
    iam.attach_role_policy(RoleName=role, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    iam.put_role_policy(
        RoleName=role,
        PolicyName="extra",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
            }
        ),
    )
    drifted = {d.property for d in stack.refresh()}
    assert drifted == {"managedPolicyArns", "inlinePolicies"}
    stack.up(refresh=True)
    attached = {
        p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    }
    assert "arn:aws:iam::aws:policy/AdministratorAccess" not in attached
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == ["queue"]


def test_removed_blocks_are_taken_away(stack: LocalEngine, aws_client) -> None:
    stack.spec.config[f"{stack.spec.project}:full"] = "false"
    out = stack.up().outputs
    s3, iam = aws_client("s3"), aws_client("iam")
    for call, code in (
        (s3.get_bucket_cors, "NoSuchCORSConfiguration"),
        (s3.get_bucket_lifecycle_configuration, "NoSuchLifecycleConfiguration"),
        (s3.get_bucket_website, "NoSuchWebsiteConfiguration"),
    ):
        with pytest.raises(ClientError, match=code):
            call(Bucket=out["data"])
    attached = iam.list_attached_role_policies(RoleName=out["role"])["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [READ_ONLY]
    # One empty inline block: the role keeps no inline policy, as the provider documents.
    assert iam.list_role_policies(RoleName=out["role"])["PolicyNames"] == []


def test_redrive_allow_policy_reaches_the_emulator(tmp_path: Path) -> None:
    """moto will not answer RedriveAllowPolicy through the API; its state dump has it. The
    dump fails on some other services' models, so this runs on an emulator of its own."""
    emulator = start_embedded()
    try:
        (tmp_path / "Pulumi.yaml").write_text("name: redrive\nruntime: python\n")
        (tmp_path / "__main__.py").write_text(
            "import json\nimport pulumi\nimport pulumi_aws as aws\n"
            'dlq = aws.sqs.Queue("dlq", redrive_allow_policy=json.dumps('
            '{"redrivePermission": "denyAll"}))\n'
            'pulumi.export("dlq", dlq.url)\n'
        )
        engine = LocalEngine(
            ProgramSpec(
                workdir=tmp_path,
                project="redrive",
                stack="dev",
                config={"aws:region": "us-east-1"},
                endpoint=emulator.endpoint,
                state_file=tmp_path / "state.json",
            )
        )
        try:
            name = engine.up().outputs["dlq"].rsplit("/", 1)[1]
            dump = json.loads(urlopen(f"{emulator.endpoint}/moto-api/data.json").read())
            (dlq,) = [q for q in dump["sqs"]["Queue"] if q["name"] == name]
            assert json.loads(dlq["redrive_allow_policy"]) == {"redrivePermission": "denyAll"}
            assert engine.refresh() == []  # unreadable: not reported as drift
        finally:
            engine.close()
    finally:
        emulator.stop()
