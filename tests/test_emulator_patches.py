"""The IAM evaluator patches (harness/emulator/patches.py): unit cases, then live in moto.

The live tests switch IAM enforcement on in this worker's emulator for the duration
of a ``with iam.enforced()`` block; principals are made before it, as kata checks do.
"""

from __future__ import annotations

import contextlib
import json
import uuid

import pytest
from botocore.exceptions import ClientError

from harness.drills.iam import Principals, assert_allowed, assert_denied
from harness.emulator.patches import principal_matches, wildcard_matches

ACCOUNT = "123456789012"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/app/run-1"


@pytest.mark.parametrize(
    ("principal", "caller", "matches"),
    [
        (None, ALICE, True),  # no Principal element: identity policies do not name one
        ("*", ALICE, True),
        ({"AWS": "*"}, ALICE, True),
        ({"AWS": ALICE}, ALICE, True),
        ({"AWS": ALICE}, f"arn:aws:iam::{ACCOUNT}:user/bob", False),
        ({"AWS": ["arn:aws:iam::1:user/x", ALICE]}, ALICE, True),
        ({"Service": "lambda.amazonaws.com"}, ALICE, False),  # moto raised a TypeError
        ({"Federated": "cognito-identity.amazonaws.com"}, ALICE, False),
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, ALICE, True),  # the whole account
        ({"AWS": ACCOUNT}, ALICE, True),  # the bare account id means the same
        ({"AWS": "arn:aws:iam::999999999999:root"}, ALICE, False),  # another account
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:role/app"}, SESSION, True),  # a session of it
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:role/other"}, SESSION, False),
    ],
)
def test_principal_matches(principal, caller, matches):
    assert principal_matches(principal, caller) is matches


def _trust(principal):
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": principal}],
        }
    )


def _allow(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.fixture
def iam(moto_emulator):
    principals = Principals(moto_emulator, "us-east-1")
    yield principals
    principals.close()  # also switches enforcement off if a test failed inside it


@pytest.fixture
def new_role(iam):
    """``new_role(trust_principal, **kwargs)`` -> role ARN; deleted after the test."""
    admin = iam.admin("iam")
    made = []

    def make(principal, **kwargs):
        name = f"patch-{uuid.uuid4().hex[:8]}"
        made.append(name)
        return admin.create_role(
            RoleName=name, AssumeRolePolicyDocument=_trust(principal), **kwargs
        )["Role"]["Arn"]

    yield make
    for name in made:
        for policy in admin.list_role_policies(RoleName=name)["PolicyNames"]:
            admin.delete_role_policy(RoleName=name, PolicyName=policy)
        admin.delete_role(RoleName=name)


def _assume(principal, role_arn):
    return lambda: principal.client("sts").assume_role(
        RoleArn=role_arn, RoleSessionName="patch-test"
    )


def test_service_only_trust_denies_a_stranger_instead_of_failing(iam, new_role):
    role = new_role({"Service": "lambda.amazonaws.com"})
    stranger = iam.stranger()
    with iam.enforced():
        # assert_denied fails on any other error, e.g. the HTTP 500 moto gave unpatched.
        assert_denied(_assume(stranger, role), "stranger assumes a Lambda role")


def test_account_root_trust_admits_any_principal_allowed_to_assume(iam, new_role):
    role = new_role({"AWS": f"arn:aws:iam::{ACCOUNT}:root"})
    stranger = iam.stranger()
    with iam.enforced():
        creds = assert_allowed(_assume(stranger, role), "stranger assumes an account-trusting role")
    assert creds["AssumedRoleUser"]["Arn"].startswith(f"arn:aws:sts::{ACCOUNT}:assumed-role/")


def test_user_arn_trust_admits_that_user_and_no_one_else(iam, new_role):
    admin = iam.admin("iam")
    name = f"alice-{uuid.uuid4().hex[:8]}"
    user_arn = admin.create_user(UserName=name)["User"]["Arn"]
    admin.put_user_policy(
        UserName=name,
        PolicyName="assume",
        PolicyDocument=_allow({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}),
    )
    try:
        role = new_role({"AWS": user_arn})
        alice, stranger = iam.user(name), iam.stranger()
        with iam.enforced():
            assert_allowed(_assume(alice, role), "the trusted user assumes the role")
            assert_denied(_assume(stranger, role), "another user assumes the role")
    finally:
        for key in admin.list_access_keys(UserName=name)["AccessKeyMetadata"]:
            admin.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
        admin.delete_user_policy(UserName=name, PolicyName="assume")
        admin.delete_user(UserName=name)


def test_permissions_boundary_caps_what_the_inline_policy_allows(iam, new_role):
    admin, s3 = iam.admin("iam"), iam.admin("s3")
    uid = uuid.uuid4().hex[:8]
    bucket = f"patch-{uid}"
    s3.create_bucket(Bucket=bucket)
    boundary = admin.create_policy(
        PolicyName=f"s3-only-{uid}",
        PolicyDocument=_allow({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}),
    )["Policy"]["Arn"]
    inline = _allow(
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*"},
        {"Effect": "Allow", "Action": "iam:CreateUser", "Resource": "*"},
    )
    trust = {"Service": "lambda.amazonaws.com"}
    capped = new_role(trust, PermissionsBoundary=boundary)
    uncapped = new_role(trust)  # the control: same policy, no boundary
    for arn in (capped, uncapped):
        admin.put_role_policy(
            RoleName=arn.rsplit("/", 1)[1], PolicyName="inline", PolicyDocument=inline
        )
    as_capped, as_uncapped = iam.role(capped), iam.role(uncapped)
    created = f"made-by-uncapped-{uid}"
    try:
        with iam.enforced():
            assert_allowed(
                lambda: as_capped.client("s3").put_object(Bucket=bucket, Key="k", Body=b"x"),
                "s3:PutObject (inline and boundary allow it)",
            )
            assert_denied(
                lambda: as_capped.client("iam").create_user(UserName=f"made-by-capped-{uid}"),
                "iam:CreateUser (the boundary does not allow it)",
            )
            assert_allowed(
                lambda: as_uncapped.client("iam").create_user(UserName=created),
                "iam:CreateUser without a boundary",
            )
    finally:  # cleanup must not hide the assertion that failed
        with contextlib.suppress(ClientError):
            admin.delete_user(UserName=created)
        admin.delete_role_permissions_boundary(RoleName=capped.rsplit("/", 1)[1])
        admin.delete_policy(PolicyArn=boundary)
        s3.delete_object(Bucket=bucket, Key="k")
        s3.delete_bucket(Bucket=bucket)


@pytest.mark.parametrize(
    ("patterns", "value", "ignore_case", "matches"),
    [
        ("SQS:ReceiveMessage", "sqs:ReceiveMessage", True, True),  # action names: any case
        (["s3:Get*"], "s3:GetObject", True, True),
        ("s3:?etObject", "s3:GetObject", True, True),
        ("arn:aws:s3:::b/raw/*", "arn:aws:s3:::b/raw/x.json", False, True),
        ("arn:aws:s3:::b/raw/*", "arn:aws:s3:::b/raw-archive/x", False, False),
        ("arn:aws:s3:::B/*", "arn:aws:s3:::b/x", False, False),  # ARNs: case matters
        ("arn:aws:sqs:us-east-1:1:q.v", "arn:aws:sqs:us-east-1:1:qxv", False, False),
    ],
)
def test_wildcard_matches(patterns, value, ignore_case, matches):
    assert wildcard_matches(patterns, value, ignore_case) is matches


def test_statements_match_as_aws_does(iam, new_role):
    # Patch 10: upper-case action names grant; a boundary's Deny + NotResource denies.
    admin, s3 = iam.admin("iam"), iam.admin("s3")
    uid = uuid.uuid4().hex[:8]
    mine, other = f"patch-{uid}", f"patch-{uid}-other"
    for bucket in (mine, other):
        s3.create_bucket(Bucket=bucket)
    boundary = admin.create_policy(
        PolicyName=f"guard-{uid}",
        PolicyDocument=_allow(
            {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::patch-*"},
            {"Effect": "Deny", "Action": "s3:*", "NotResource": f"arn:aws:s3:::{mine}/*"},
        ),
    )["Policy"]["Arn"]
    role = new_role({"Service": "lambda.amazonaws.com"}, PermissionsBoundary=boundary)
    admin.put_role_policy(
        RoleName=role.rsplit("/", 1)[1],
        PolicyName="inline",
        PolicyDocument=_allow({"Effect": "Allow", "Action": "S3:PUTOBJECT", "Resource": "*"}),
    )
    session = iam.role(role)
    try:
        with iam.enforced():
            put = session.client("s3").put_object
            assert_allowed(
                lambda: put(Bucket=mine, Key="k", Body=b"x"), "S3:PUTOBJECT grants s3:PutObject"
            )
            assert_denied(
                lambda: put(Bucket=other, Key="k", Body=b"x"),
                "the boundary's Deny NotResource covers the other bucket",
            )
    finally:
        with contextlib.suppress(ClientError):
            s3.delete_object(Bucket=mine, Key="k")
        with contextlib.suppress(ClientError):
            s3.delete_object(Bucket=other, Key="k")
        admin.delete_role_permissions_boundary(RoleName=role.rsplit("/", 1)[1])
        admin.delete_policy(PolicyArn=boundary)
        for bucket in (mine, other):
            s3.delete_bucket(Bucket=bucket)


def test_codedeploy_groups_update_delete_and_keep_their_alarm_configuration(aws_client):
    """Patch 6: UpdateDeploymentGroup, DeleteDeploymentGroup, DeleteApplication and the
    stored alarm configuration (moto 5.2 answers 500, 500, 500 and ``{}``)."""
    cd = aws_client("codedeploy")
    app = f"patch6-{uuid.uuid4().hex[:8]}"
    cd.create_application(applicationName=app, computePlatform="Lambda")
    alarms = {"enabled": True, "ignorePollAlarmFailure": False, "alarms": [{"name": "errors"}]}
    cd.create_deployment_group(
        applicationName=app,
        deploymentGroupName="live",
        serviceRoleArn=f"arn:aws:iam::{ACCOUNT}:role/codedeploy",
        deploymentConfigName="CodeDeployDefault.LambdaCanary10Percent5Minutes",
        alarmConfiguration=alarms,
        autoRollbackConfiguration={"enabled": True, "events": ["DEPLOYMENT_FAILURE"]},
    )
    group = cd.get_deployment_group(applicationName=app, deploymentGroupName="live")
    assert group["deploymentGroupInfo"]["alarmConfiguration"] == alarms

    cd.update_deployment_group(
        applicationName=app,
        currentDeploymentGroupName="live",
        newDeploymentGroupName="prod",
        deploymentConfigName="CodeDeployDefault.LambdaAllAtOnce",
    )
    info = cd.get_deployment_group(applicationName=app, deploymentGroupName="prod")[
        "deploymentGroupInfo"
    ]
    assert info["deploymentConfigName"] == "CodeDeployDefault.LambdaAllAtOnce"
    # Omitted parameters are left as they were.
    assert info["alarmConfiguration"] == alarms
    assert info["autoRollbackConfiguration"]["events"] == ["DEPLOYMENT_FAILURE"]
    with pytest.raises(ClientError, match="DeploymentGroupDoesNotExist"):
        cd.get_deployment_group(applicationName=app, deploymentGroupName="live")

    cd.delete_deployment_group(applicationName=app, deploymentGroupName="prod")
    assert cd.list_deployment_groups(applicationName=app)["deploymentGroups"] == []
    cd.delete_application(applicationName=app)
    with pytest.raises(ClientError, match="ApplicationDoesNotExist"):
        cd.get_application(applicationName=app)


def test_eventbridge_rules_publish_matching_events_to_sns_topics(aws_client):
    """Patch 5: a rule with an SNS target publishes the event (or its Input) to the topic."""
    from harness.drills.notifications import Inbox

    events, sns = aws_client("events"), aws_client("sns")
    name = f"patch5-{uuid.uuid4().hex[:8]}"
    topic = sns.create_topic(Name=name)["TopicArn"]
    events.put_rule(Name=name, EventPattern=json.dumps({"source": [name]}))
    events.put_targets(
        Rule=name,
        Targets=[
            {"Id": "whole", "Arn": topic},
            {"Id": "constant", "Arn": topic, "Input": '{"page": "on-call"}'},
        ],
    )
    try:
        with Inbox.subscribe(aws_client, topic) as inbox:
            for source in (name, f"{name}-other"):
                result = events.put_events(
                    Entries=[{"Source": source, "DetailType": "t", "Detail": '{"n": 1}'}]
                )
                assert result["FailedEntryCount"] == 0  # moto alone answers HTTP 500
            pages = inbox.receive(wait_s=1)
    finally:
        events.remove_targets(Rule=name, Ids=["whole", "constant"])
        events.delete_rule(Name=name)
        sns.delete_topic(TopicArn=topic)
    whole = [p for p in pages if "detail" in p]
    assert len(pages) == 2 and {"page": "on-call"} in pages
    assert whole[0]["source"] == name and whole[0]["detail"] == {"n": 1}


def test_object_lock_default_retention_on_a_bucket_with_objects(aws_client):
    # Patch 12: S3 requires versioning, not an empty bucket (moto refused any object).
    s3 = aws_client("s3")
    bucket = f"patch-lock-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
    s3.put_object(Bucket=bucket, Key="releases/1.0.0/app.zip", Body=b"x")
    s3.put_object_lock_configuration(
        Bucket=bucket,
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}},
        },
    )
    rule = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]["Rule"]
    assert (rule["DefaultRetention"]["Mode"], rule["DefaultRetention"]["Days"]) == ("GOVERNANCE", 1)
    unversioned = f"{bucket}-plain"
    s3.create_bucket(Bucket=unversioned)
    with pytest.raises(ClientError, match="Versioning must be 'Enabled'"):
        s3.put_object_lock_configuration(
            Bucket=unversioned, ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"}
        )


def test_a_queue_with_an_event_source_mapping_keeps_its_messages(aws_client):
    # Patch: moto invoked the mapped function through Docker on every SendMessage and
    # blocked without it; the message now waits in the queue, visible.
    sqs, lam, iam = aws_client("sqs"), aws_client("lambda"), aws_client("iam")
    name = f"patch-esm-{uuid.uuid4().hex[:8]}"
    queue = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    role = iam.create_role(
        RoleName=name, AssumeRolePolicyDocument=_trust({"Service": "lambda.amazonaws.com"})
    )["Role"]["Arn"]
    lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},
    )
    mapping = lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName=name)
    try:
        sqs.send_message(QueueUrl=queue, MessageBody="waiting")
        got = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1).get("Messages", [])
        assert [m["Body"] for m in got] == ["waiting"]
    finally:
        lam.delete_event_source_mapping(UUID=mapping["UUID"])
        lam.delete_function(FunctionName=name)
        iam.delete_role(RoleName=name)
        sqs.delete_queue(QueueUrl=queue)


def test_event_source_mappings_hand_nothing_to_the_function(monkeypatch):
    # The live test above passes wherever Docker fails fast; this one fails without the
    # patch everywhere: moto's hand-over calls the function (here, a stub that refuses).
    from moto.awslambda.models import LambdaBackend

    from harness.emulator import patches

    monkeypatch.setattr(LambdaBackend, "send_sqs_batch", LambdaBackend.send_sqs_batch)

    def invoke(*_args, **_kwargs):
        raise AssertionError("the mapped function was invoked")

    monkeypatch.setattr(LambdaBackend, "_send_sqs_message", invoke)
    patches._event_source_mappings_do_not_invoke()
    assert LambdaBackend.send_sqs_batch(object(), "arn:fn", [object()], "arn:queue") is False
