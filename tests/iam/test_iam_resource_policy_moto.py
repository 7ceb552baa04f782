"""Reading every resource policy from a real (embedded moto) account."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Callable
from typing import Any

from harness.iam import Allowed
from harness.iam.resource_policy import effective_violations, read_resource_policies

ACCOUNT = "123456789012"


def _grant(action: str, resource: str, principal: Any = "*") -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "KataTest",
                    "Effect": "Allow",
                    "Principal": principal,
                    "Action": action,
                    "Resource": resource,
                }
            ],
        }
    )


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return 1\n")
    return buffer.getvalue()


def test_every_kind_of_resource_policy_is_read(aws_client: Callable[..., Any]) -> None:
    tag = uuid.uuid4().hex[:8]
    role = f"arn:aws:iam::{ACCOUNT}:role/reader-{tag}"
    s3, sqs, sns = aws_client("s3"), aws_client("sqs"), aws_client("sns")
    kms, secrets, lambda_ = aws_client("kms"), aws_client("secretsmanager"), aws_client("lambda")

    bucket = f"rp-{tag}"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_policy(
        Bucket=bucket, Policy=_grant("s3:GetObject", f"arn:aws:s3:::{bucket}/*", {"AWS": role})
    )
    s3.create_bucket(Bucket=f"{bucket}-bare")  # no policy: skipped, not an error
    queue_url = sqs.create_queue(QueueName=f"rp-{tag}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sqs.set_queue_attributes(
        QueueUrl=queue_url, Attributes={"Policy": _grant("sqs:SendMessage", queue_arn)}
    )
    topic = sns.create_topic(Name=f"rp-{tag}")["TopicArn"]
    sns.set_topic_attributes(
        TopicArn=topic, AttributeName="Policy", AttributeValue=_grant("SNS:Publish", topic)
    )
    key = kms.create_key(Policy=_grant("kms:Decrypt", "*", {"AWS": role}))["KeyMetadata"]["Arn"]
    secret = secrets.create_secret(Name=f"rp-{tag}", SecretString="x")["ARN"]
    secrets.put_resource_policy(
        SecretId=secret, ResourcePolicy=_grant("secretsmanager:GetSecretValue", "*")
    )
    trust = {
        "Statement": {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    }
    execution = aws_client("iam").create_role(
        RoleName=f"lambda-{tag}", AssumeRolePolicyDocument=json.dumps(trust)
    )["Role"]["Arn"]
    function = lambda_.create_function(
        FunctionName=f"rp-{tag}",
        Runtime="python3.12",
        Role=execution,
        Handler="index.handler",
        Code={"ZipFile": _zip()},
    )["FunctionArn"]
    lambda_.add_permission(
        FunctionName=function,
        StatementId="KataTest",
        Action="lambda:InvokeFunction",
        Principal=role,
    )

    policies = {
        p.label: p
        for p in read_resource_policies(aws_client, ["us-east-1"])
        if tag in p.resource_arn or p.resource_arn == key
    }
    assert set(policies) == {
        f"bucket policy of arn:aws:s3:::{bucket}",
        f"queue policy of {queue_arn}",
        f"topic policy of {topic}",
        f"key policy of {key}",
        f"secret resource policy of {secret}",
        f"function policy of {function}",
    }

    # The reader sees nothing granted outside its allow-list but what these policies give.
    found, unjudged = effective_violations(role, [], [], policies.values())
    assert not unjudged
    granted = {(v.action, v.resource) for v in found}
    assert {
        ("s3:GetObject", f"arn:aws:s3:::{bucket}/*"),
        ("sqs:SendMessage", queue_arn),
        ("sns:Publish", topic),
        ("kms:Decrypt", key),
        ("secretsmanager:GetSecretValue", secret),
    } <= granted
    # add_permission names the function unqualified; moto stores it as …:$LATEST
    assert any(a == "lambda:InvokeFunction" and r.startswith(function) for a, r in granted)
    allowed = [Allowed("sqs:SendMessage", queue_arn)]
    found, _ = effective_violations(role, [], allowed, [policies[f"queue policy of {queue_arn}"]])
    assert found == []


def test_a_replica_secret_is_read_through_its_primary(aws_client: Callable[..., Any]) -> None:
    # Secrets Manager refuses GetResourcePolicy on a replica; its policy is the primary's.
    tag = uuid.uuid4().hex[:8]
    secrets = aws_client("secretsmanager")
    arn = secrets.create_secret(
        Name=f"rp-replicated-{tag}", SecretString="x", AddReplicaRegions=[{"Region": "eu-west-1"}]
    )["ARN"]
    secrets.put_resource_policy(SecretId=arn, ResourcePolicy=_grant("secretsmanager:*", "*"))
    read = read_resource_policies(aws_client, ["us-east-1", "eu-west-1"], ["secretsmanager"])
    assert [p.resource_arn for p in read if tag in p.resource_arn] == [arn]


def test_a_rest_api_policy_is_read(aws_client: Callable[..., Any]) -> None:
    role = f"arn:aws:iam::{ACCOUNT}:role/caller-{uuid.uuid4().hex[:8]}"
    apigateway = aws_client("apigateway")
    api = apigateway.create_rest_api(
        name="rp-api", policy=_grant("execute-api:Invoke", "execute-api:/*", {"AWS": role})
    )["id"]
    arn = f"arn:aws:execute-api:us-east-1:{ACCOUNT}:{api}"
    [policy] = [
        p
        for p in read_resource_policies(aws_client, ["us-east-1"], ["apigateway"])
        if p.resource_arn == arn
    ]
    found, unjudged = effective_violations(role, [], [], [policy])
    assert not unjudged and [v.action for v in found] == ["execute-api:Invoke"]
