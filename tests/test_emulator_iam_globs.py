"""Patch 11: moto evaluates identity policies with IAM's glob rules (harness.iam).

Unpatched, ``SQS:ReceiveMessage`` was denied (moto matched actions case-sensitively),
``?`` meant "optional previous character", ``.`` matched any character, and a
``NotResource`` statement allowed every resource.
"""

from __future__ import annotations

import json
import uuid

import pytest

from harness.drills.iam import Principals, assert_allowed, assert_denied


@pytest.fixture
def iam(moto_emulator):
    principals = Principals(moto_emulator, "us-east-1")
    yield principals
    principals.close()


@pytest.fixture
def bucket_and_role(iam):
    """``make(*statements)`` -> (bucket, a session of a role with exactly those statements)."""
    admin, s3 = iam.admin("iam"), iam.admin("s3")
    made: list[tuple[str, str]] = []

    def make(*statements):
        uid = uuid.uuid4().hex[:8]
        bucket, role = f"glob-{uid}", f"glob-{uid}"
        s3.create_bucket(Bucket=bucket)
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                }
            ],
        }
        admin.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))
        document = {
            "Version": "2012-10-17",
            "Statement": [
                {**s, "Resource": s["Resource"].replace("BUCKET", bucket)}
                if "Resource" in s
                else {**s, "NotResource": s["NotResource"].replace("BUCKET", bucket)}
                for s in statements
            ],
        }
        admin.put_role_policy(RoleName=role, PolicyName="p", PolicyDocument=json.dumps(document))
        made.append((bucket, role))
        return bucket, iam.role(role)

    yield make
    for bucket, role in made:
        for obj in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=obj["Key"])
        s3.delete_bucket(Bucket=bucket)
        admin.delete_role_policy(RoleName=role, PolicyName="p")
        admin.delete_role(RoleName=role)


def _put(session, bucket, key):
    return lambda: session.client("s3").put_object(Bucket=bucket, Key=key, Body=b"x")


def test_action_names_match_whatever_their_case(iam, bucket_and_role):
    bucket, role = bucket_and_role(
        {"Effect": "Allow", "Action": "S3:putobject", "Resource": "arn:aws:s3:::BUCKET/*"}
    )
    with iam.enforced():
        assert_allowed(_put(role, bucket, "a.csv"), "S3:putobject grants s3:PutObject")


def test_a_question_mark_is_one_character_and_a_dot_is_a_dot(iam, bucket_and_role):
    bucket, role = bucket_and_role(
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::BUCKET/day-?.csv"}
    )
    with iam.enforced():
        assert_allowed(_put(role, bucket, "day-1.csv"), "day-? matches day-1")
        assert_denied(_put(role, bucket, "day-.csv"), "? is exactly one character")
        assert_denied(_put(role, bucket, "day-1xcsv"), "the dot is a literal dot")


def test_resources_are_case_sensitive(iam, bucket_and_role):
    bucket, role = bucket_and_role(
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::BUCKET/raw/*"}
    )
    with iam.enforced():
        assert_denied(_put(role, bucket, "RAW/a.csv"), "raw/* does not match RAW/")


def test_not_resource_allows_everything_but_what_it_lists(iam, bucket_and_role):
    bucket, role = bucket_and_role(
        {"Effect": "Allow", "Action": "s3:PutObject", "NotResource": "arn:aws:s3:::BUCKET/secret/*"}
    )
    with iam.enforced():
        assert_allowed(_put(role, bucket, "public/a.csv"), "outside the NotResource list")
        assert_denied(_put(role, bucket, "secret/a.csv"), "inside the NotResource list")
