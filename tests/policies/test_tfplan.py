"""The Pulumi graph → Terraform plan mapping (pure Python; no checkov)."""

from __future__ import annotations

import json

import pytest

from harness.policy.tfplan import UNKNOWN, plan_addresses, to_terraform_plan
from harness.policy.tftypes import snake, terraform_name, terraform_type


@pytest.mark.parametrize(
    ("token", "tf_type"),
    [
        ("aws:iam/role:Role", "aws_iam_role"),
        ("aws:s3/bucket:Bucket", "aws_s3_bucket"),
        ("aws:s3/bucketV2:BucketV2", "aws_s3_bucket"),
        (
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "aws_s3_bucket_server_side_encryption_configuration",
        ),
        (
            "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
            "aws_s3_bucket_server_side_encryption_configuration",
        ),
        (
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "aws_s3_bucket_public_access_block",
        ),
        ("aws:cloudwatch/metricAlarm:MetricAlarm", "aws_cloudwatch_metric_alarm"),
        ("aws:lambda/function:Function", "aws_lambda_function"),
        ("aws:route53/record:Record", "aws_route53_record"),
        ("aws:sns/topic:Topic", "aws_sns_topic"),
        ("aws:sqs/queue:Queue", "aws_sqs_queue"),
        ("aws:kms/key:Key", "aws_kms_key"),
        ("aws:dynamodb/table:Table", "aws_dynamodb_table"),
        ("aws:secretsmanager/secret:Secret", "aws_secretsmanager_secret"),
        ("aws:ec2/securityGroup:SecurityGroup", "aws_security_group"),
        ("aws:ec2/fleet:Fleet", "aws_ec2_fleet"),
        ("aws:codedeploy/application:Application", "aws_codedeploy_app"),
        ("aws:codedeploy/deploymentGroup:DeploymentGroup", "aws_codedeploy_deployment_group"),
        ("aws:cfg/rule:Rule", "aws_config_config_rule"),
        ("aws:rds/instance:Instance", "aws_db_instance"),
        ("aws:rds/cluster:Cluster", "aws_rds_cluster"),
        ("aws:apigateway/restApi:RestApi", "aws_api_gateway_rest_api"),
        ("aws:cloudformation/stack:Stack", "aws_cloudformation_stack"),
        ("pulumi:providers:aws", None),
        ("my:component:Thing", None),
    ],
)
def test_type_tokens(token: str, tf_type: str | None) -> None:
    assert terraform_type(token) == tf_type


def test_names() -> None:
    assert snake("graphQLApi") == "graph_ql_api"
    assert snake("ipv6CidrBlock") == "ipv6_cidr_block"
    assert terraform_name("my bucket.v2") == "my_bucket_v2"
    assert terraform_name("9lives") == "_9lives"


def test_attributes_become_terraform_values(make) -> None:
    policy = '{"Version": "2012-10-17", "Statement": []}'
    role = make(
        "aws:iam/role:Role",
        "app",
        {
            "assumeRolePolicy": policy,
            "permissionsBoundary": UNKNOWN,
            "maxSessionDuration": 3600.0,
            "tags": {"CostCenter": "42", "team:owner": "me"},
            "inlinePolicies": [{"name": "read", "policy": policy}],
        },
    )
    values = to_terraform_plan([role])["planned_values"]["root_module"]["resources"][0]["values"]
    assert values["assume_role_policy"] == policy  # JSON documents reach checkov verbatim
    assert values["max_session_duration"] == 3600 and isinstance(
        values["max_session_duration"], int
    )
    assert values["tags"] == {"CostCenter": "42", "team:owner": "me"}
    assert values["inline_policy"] == [{"name": "read", "policy": policy}]  # bridge plural undone
    assert values["inline_policies"] == values["inline_policy"]
    assert "permissions_boundary" not in values


def test_nested_objects_become_blocks(make) -> None:
    sse = make(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "sse",
        {
            "bucket": "b",
            "rules": [
                {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}},
                {"bucketKeyEnabled": True},
            ],
        },
    )
    alarm = make(
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "errors",
        {"dimensions": {"FunctionName": "fn"}, "alarmActions": ["arn:a", "arn:b"]},
    )
    plan = to_terraform_plan([sse, alarm])
    sse_values, alarm_values = (
        r["values"] for r in plan["planned_values"]["root_module"]["resources"]
    )
    assert sse_values["rule"] == [
        {"apply_server_side_encryption_by_default": [{"sse_algorithm": "AES256"}]},
        {"bucket_key_enabled": True},
    ]
    assert alarm_values["dimensions"] == {"FunctionName": "fn"}  # a map: keys are data
    assert alarm_values["alarm_actions"] == ["arn:a", "arn:b"]


def test_policy_document_objects_and_secrets(make) -> None:
    secret = {
        "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
        "value": "s3cr3t",
    }
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]}
    pol = make("aws:iam/policy:Policy", "p", {"policy": doc, "description": secret})
    values = to_terraform_plan([pol])["planned_values"]["root_module"]["resources"][0]["values"]
    assert json.loads(values["policy"]) == doc
    assert values["description"] == "s3cr3t"


def test_unknown_values_are_after_unknown(make) -> None:
    role = make("aws:iam/role:Role", "r", {"name": UNKNOWN, "path": "/"})
    change = to_terraform_plan([role])["resource_changes"][0]["change"]
    assert change["after"] == {"path": "/"}
    assert change["after_unknown"] == {"name": True}
    assert change["actions"] == ["create"]


def test_providers_and_components_are_skipped(make) -> None:
    resources = [
        make("pulumi:providers:aws", "default"),
        make("katas:index:Website", "site", custom=False),
        make("aws:s3/bucket:Bucket", "site"),
        make("aws:s3/bucketV2:BucketV2", "site"),  # same Terraform address: deduplicated
    ]
    assert list(plan_addresses(resources)) == ["aws_s3_bucket.site", "aws_s3_bucket.site_2"]


def test_property_dependencies_become_references(make) -> None:
    bucket = make("aws:s3/bucket:Bucket", "data", {"bucket": "data-123"})
    block = make(
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "data-pab",
        {"bucket": "data-123", "blockPublicAcls": True},
        property_dependencies={"bucket": [bucket.urn], "blockPublicAcls": []},
    )
    plan = to_terraform_plan([bucket, block])
    config = plan["configuration"]["root_module"]["resources"][1]
    assert config["address"] == "aws_s3_bucket_public_access_block.data-pab"
    assert config["expressions"]["bucket"] == {
        "references": ["aws_s3_bucket.data.id", "aws_s3_bucket.data"]
    }
    assert config["expressions"]["block_public_acls"] == {"constant_value": True}
    assert plan["format_version"] and plan["terraform_version"]


def test_assets_are_not_attributes(make) -> None:
    fn = make(
        "aws:lambda/function:Function",
        "handler",
        {"code": {"__archive": {"index.py": {"__asset_text": "x"}}}, "runtime": "python3.12"},
    )
    change = to_terraform_plan([fn])["resource_changes"][0]["change"]
    assert change["after"] == {"runtime": "python3.12"}
    assert change["after_unknown"] == {"code": True}


def test_action_names_reach_checkov_in_the_catalogs_spelling_and_statements_as_a_list():
    # IAM compares action names case-insensitively; checkov's checks compare them as
    # written, so "STS:AssumeRole" failed CKV_AWS_287 where "sts:AssumeRole" passed.
    from harness.policy.tfplan import canonical_document

    written = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "STS:assumerole",
                    "Resource": "arn:aws:iam::1:role/r",
                },
                {"Effect": "Deny", "NotAction": ["IAM:passrole", "S3:Get*"], "Resource": "*"},
            ],
        }
    )
    doc = json.loads(canonical_document(written))
    assert doc["Statement"][0]["Action"] == "sts:AssumeRole"
    assert doc["Statement"][1]["NotAction"] == ["iam:PassRole", "s3:Get*"]
    assert doc["Statement"][0]["Resource"] == "arn:aws:iam::1:role/r"  # nothing else touched
    canonical = '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]}'
    assert canonical_document(canonical) is canonical
    assert canonical_document("not a document") == "not a document"
    single = json.loads(
        canonical_document('{"Statement": {"Effect": "Allow", "Action": "s3:GetObject"}}')
    )
    assert single["Statement"] == [{"Effect": "Allow", "Action": "s3:GetObject"}]
