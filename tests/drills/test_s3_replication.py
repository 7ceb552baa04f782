"""The S3 replication drill (harness/drills/s3_replication.py): copies what the
configuration's role may replicate (its policies evaluated by meaning), refuses where
S3 refuses.
"""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from harness.drills.iam import Principals, assert_allowed, assert_denied
from harness.drills.s3_replication import (
    ReplicationRefused,
    as_replication_role,
    replicate,
)

SOURCE_REGION, DEST_REGION = "us-east-1", "us-west-2"
TRUST_S3 = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def _policy(source, dest, write_to=None):
    write_to = write_to or dest
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                    "Resource": f"arn:aws:s3:::{source}",
                },
                {
                    "Effect": "Allow",
                    "Action": [
                        "s3:GetObjectVersionForReplication",
                        "s3:GetObjectVersionAcl",
                        "s3:GetObjectVersionTagging",
                    ],
                    "Resource": f"arn:aws:s3:::{source}/*",
                },
                {
                    "Effect": "Allow",
                    "Action": ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
                    "Resource": f"arn:aws:s3:::{write_to}/*",
                },
            ],
        }
    )


class Setup:
    def __init__(self, aws_client):
        self.aws = aws_client
        uid = uuid.uuid4().hex[:8]
        self.source, self.dest = f"src-{uid}", f"dst-{uid}"
        self.src_s3 = aws_client("s3", region=SOURCE_REGION)
        self.dst_s3 = aws_client("s3", region=DEST_REGION)
        self.src_s3.create_bucket(Bucket=self.source)
        self.dst_s3.create_bucket(
            Bucket=self.dest, CreateBucketConfiguration={"LocationConstraint": DEST_REGION}
        )
        self.iam = aws_client("iam")
        self.role_name = f"replication-{uid}"
        self.role_arn = self.iam.create_role(
            RoleName=self.role_name, AssumeRolePolicyDocument=json.dumps(TRUST_S3)
        )["Role"]["Arn"]
        self.policy(_policy(self.source, self.dest))

    def policy(self, document):
        self.iam.put_role_policy(
            RoleName=self.role_name, PolicyName="replication", PolicyDocument=document
        )

    def version(self, *buckets):
        for bucket in buckets:
            s3 = self.src_s3 if bucket == self.source else self.dst_s3
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})

    def configure(self, *rules):
        self.src_s3.put_bucket_replication(
            Bucket=self.source,
            ReplicationConfiguration={"Role": self.role_arn, "Rules": list(rules)},
        )

    def rule(self, prefix="orders/", priority=1, deletes=True, status="Enabled", **extra):
        return {
            "ID": f"r{priority}",
            "Priority": priority,
            "Status": status,
            "Filter": {"Prefix": prefix},
            "DeleteMarkerReplication": {"Status": "Enabled" if deletes else "Disabled"},
            "Destination": {"Bucket": f"arn:aws:s3:::{self.dest}", **extra},
        }

    def dest_body(self, key):
        try:
            return self.dst_s3.get_object(Bucket=self.dest, Key=key)["Body"].read()
        except ClientError:
            return None

    def cleanup(self):
        for s3, bucket in ((self.src_s3, self.source), (self.dst_s3, self.dest)):
            listing = s3.list_object_versions(Bucket=bucket)
            for item in listing.get("Versions", []) + listing.get("DeleteMarkers", []):
                s3.delete_object(Bucket=bucket, Key=item["Key"], VersionId=item["VersionId"])
            s3.delete_bucket(Bucket=bucket)
        self.iam.delete_role_policy(RoleName=self.role_name, PolicyName="replication")
        self.iam.delete_role(RoleName=self.role_name)


@pytest.fixture
def principals(moto_emulator):
    p = Principals(moto_emulator, SOURCE_REGION)
    yield p
    p.close()


@pytest.fixture
def pair(aws_client):
    setup = Setup(aws_client)
    yield setup
    setup.cleanup()


def test_replicates_what_the_filter_matches_as_the_role(pair, principals):
    pair.version(pair.source, pair.dest)
    pair.configure(pair.rule("orders/"))
    pair.src_s3.put_object(
        Bucket=pair.source, Key="orders/1.json", Body=b"{}", ContentType="application/json"
    )
    pair.src_s3.put_object(Bucket=pair.source, Key="tmp/scratch.csv", Body=b"a,b")

    report = replicate(principals, pair.source)

    assert report.completed("orders/1.json"), report.explain("orders/1.json")
    assert pair.dest_body("orders/1.json") == b"{}"
    head = pair.dst_s3.head_object(Bucket=pair.dest, Key="orders/1.json")
    assert head["ContentType"] == "application/json"
    assert not report.completed("tmp/scratch.csv")
    assert "no replication rule" in report.explain("tmp/scratch.csv")
    assert pair.dest_body("tmp/scratch.csv") is None
    # Running it again finds everything up to date.
    again = replicate(principals, pair.source)
    assert [o.why for o in again.outcomes] == ["already up to date in the destination"]


def test_delete_markers_follow_the_rule(pair, principals):
    pair.version(pair.source, pair.dest)
    pair.configure(
        pair.rule("orders/", deletes=True), pair.rule("audit/", priority=2, deletes=False)
    )
    for key in ("orders/1.json", "audit/1.json"):
        pair.src_s3.put_object(Bucket=pair.source, Key=key, Body=b"x")
    replicate(principals, pair.source)
    for key in ("orders/1.json", "audit/1.json"):
        pair.src_s3.delete_object(Bucket=pair.source, Key=key)
    report = replicate(principals, pair.source)
    assert pair.dest_body("orders/1.json") is None  # the delete marker was replicated
    assert pair.dest_body("audit/1.json") == b"x"  # not replicated: the replica survives
    assert "does not replicate delete markers" in report.explain("audit/1.json")
    markers = pair.dst_s3.list_object_versions(Bucket=pair.dest).get("DeleteMarkers", [])
    assert [m["Key"] for m in markers] == ["orders/1.json"]  # a marker, not a version delete


def test_refuses_without_versioning_on_both_sides(pair, principals):
    pair.version(pair.source)
    pair.configure(pair.rule())  # moto, unlike S3, does not check the destination
    with pytest.raises(ReplicationRefused, match=f"{pair.dest} .* not versioning-enabled"):
        replicate(principals, pair.source)
    pair.src_s3.put_bucket_versioning(
        Bucket=pair.source, VersioningConfiguration={"Status": "Suspended"}
    )
    with pytest.raises(ReplicationRefused, match=f"{pair.source} is not versioning-enabled"):
        replicate(principals, pair.source)


def test_refuses_a_bucket_without_configuration(pair, principals):
    with pytest.raises(ReplicationRefused, match="no replication configuration"):
        replicate(principals, pair.source)


def test_a_role_that_cannot_write_the_destination_replicates_nothing(pair, principals):
    pair.version(pair.source, pair.dest)
    pair.configure(pair.rule())
    pair.policy(_policy(pair.source, pair.dest, write_to=pair.source))  # a copy-paste slip
    pair.src_s3.put_object(Bucket=pair.source, Key="orders/1.json", Body=b"{}")
    report = replicate(principals, pair.source)
    assert report.failed == [
        (
            "orders/1.json",
            pair.dest,
            f"the replication role may not s3:ReplicateObject on "
            f"arn:aws:s3:::{pair.dest}/orders/1.json",
        )
    ]
    assert pair.dest_body("orders/1.json") is None


def test_a_role_s3_cannot_assume_replicates_nothing(pair, principals):
    pair.version(pair.source, pair.dest)
    pair.configure(pair.rule())
    trust = {
        **TRUST_S3,
        "Statement": [
            {**TRUST_S3["Statement"][0], "Principal": {"Service": "lambda.amazonaws.com"}}
        ],
    }
    pair.iam.update_assume_role_policy(RoleName=pair.role_name, PolicyDocument=json.dumps(trust))
    pair.src_s3.put_object(Bucket=pair.source, Key="orders/1.json", Body=b"{}")
    report = replicate(principals, pair.source)
    assert "does not let s3.amazonaws.com assume it" in report.failed[0][2]
    assert pair.dest_body("orders/1.json") is None


def test_sse_kms_objects_need_the_rule_to_opt_in(pair, principals, aws_client):
    pair.version(pair.source, pair.dest)
    source_key = aws_client("kms", region=SOURCE_REGION).create_key()["KeyMetadata"]["Arn"]
    replica_key = aws_client("kms", region=DEST_REGION).create_key()["KeyMetadata"]["Arn"]
    pair.src_s3.put_bucket_encryption(
        Bucket=pair.source,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": source_key,
                    }
                }
            ]
        },
    )
    pair.configure(pair.rule())
    pair.src_s3.put_object(Bucket=pair.source, Key="orders/1.json", Body=b"{}")
    report = replicate(principals, pair.source)
    assert "SSE-KMS encrypted and the rule does not opt in" in report.explain("orders/1.json")

    opted_in = {
        **pair.rule(EncryptionConfiguration={"ReplicaKmsKeyID": replica_key}),
        "SourceSelectionCriteria": {"SseKmsEncryptedObjects": {"Status": "Enabled"}},
    }
    pair.configure(opted_in)
    report = replicate(principals, pair.source)
    assert "may not kms:Decrypt on " + source_key in report.explain("orders/1.json")

    kms_grants = json.loads(_policy(pair.source, pair.dest))
    kms_grants["Statement"] += [
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": source_key},
        {"Effect": "Allow", "Action": "kms:Encrypt", "Resource": replica_key},
    ]
    pair.policy(json.dumps(kms_grants))
    report = replicate(principals, pair.source)
    assert report.completed("orders/1.json"), report.explain("orders/1.json")
    head = pair.dst_s3.head_object(Bucket=pair.dest, Key="orders/1.json")
    assert (head["ServerSideEncryption"], head["SSEKMSKeyId"]) == ("aws:kms", replica_key)

    without_key = {**opted_in, "Destination": {"Bucket": f"arn:aws:s3:::{pair.dest}"}}
    pair.configure(without_key)
    with pytest.raises(ReplicationRefused, match="names no ReplicaKmsKeyID"):
        replicate(principals, pair.source)


def test_the_highest_priority_rule_wins(pair, principals):
    pair.version(pair.source, pair.dest)
    pair.configure(
        pair.rule("", priority=1), pair.rule("orders/private/", priority=5, status="Disabled")
    )
    pair.src_s3.put_object(Bucket=pair.source, Key="orders/private/1.json", Body=b"{}")
    pair.src_s3.put_object(Bucket=pair.source, Key="orders/1.json", Body=b"{}")
    report = replicate(principals, pair.source)
    assert report.completed("orders/1.json")
    assert "rule 'r5' is disabled" in report.explain("orders/private/1.json")


def test_tags_are_replicated(pair, principals):
    pair.version(pair.source, pair.dest)
    pair.configure(pair.rule())
    pair.src_s3.put_object(Bucket=pair.source, Key="orders/1.json", Body=b"{}", Tagging="pii=yes")
    assert replicate(principals, pair.source).completed("orders/1.json")
    tags = pair.dst_s3.get_object_tagging(Bucket=pair.dest, Key="orders/1.json")["TagSet"]
    assert tags == [{"Key": "pii", "Value": "yes"}]


def test_replication_role_calls_are_authorized_as_replication_actions(pair, principals):
    # Allowed s3:PutObject but not s3:ReplicateObject: S3 replication would be denied.
    pair.policy(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "s3:PutObject",
                        "Resource": f"arn:aws:s3:::{pair.dest}/*",
                    },
                    {
                        "Effect": "Allow",
                        "Action": "s3:ReplicateDelete",
                        "Resource": f"arn:aws:s3:::{pair.dest}/*",
                    },
                ],
            }
        )
    )
    role = as_replication_role(principals, pair.role_arn)
    s3 = role.client("s3", DEST_REGION)
    with principals.enforced():
        assert_denied(lambda: s3.put_object(Bucket=pair.dest, Key="k", Body=b""), "ReplicateObject")
        assert_allowed(lambda: s3.delete_object(Bucket=pair.dest, Key="k"), "ReplicateDelete")


def test_the_role_is_read_by_meaning_not_by_spelling(pair, principals):
    # A list-valued service principal and upper-case action names mean what the
    # canonical spelling means; IAM compares action names case-insensitively.
    pair.version(pair.source, pair.dest)
    pair.configure(pair.rule())
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": ["s3.amazonaws.com"]},
                "Action": ["sts:AssumeRole"],
            }
        ],
    }
    pair.iam.update_assume_role_policy(RoleName=pair.role_name, PolicyDocument=json.dumps(trust))
    pair.policy(_policy(pair.source, pair.dest).replace('"s3:', '"S3:'))
    pair.src_s3.put_object(Bucket=pair.source, Key="orders/1.json", Body=b"{}")
    report = replicate(principals, pair.source)
    assert report.completed("orders/1.json"), report.explain("orders/1.json")


def test_a_replica_key_the_role_may_not_use_replicates_nothing(pair, principals, aws_client):
    pair.version(pair.source, pair.dest)
    kms_src = aws_client("kms", region=SOURCE_REGION)
    kms_dst = aws_client("kms", region=DEST_REGION)
    source_key = kms_src.create_key()["KeyMetadata"]["Arn"]
    replica_key = kms_dst.create_key()["KeyMetadata"]
    kms_dst.create_alias(AliasName="alias/replicas", TargetKeyId=replica_key["KeyId"])
    pair.src_s3.put_bucket_encryption(
        Bucket=pair.source,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": source_key,
                    }
                }
            ]
        },
    )
    pair.configure(
        {
            **pair.rule(EncryptionConfiguration={"ReplicaKmsKeyID": "alias/replicas"}),
            "SourceSelectionCriteria": {"SseKmsEncryptedObjects": {"Status": "Enabled"}},
        }
    )
    grants = json.loads(_policy(pair.source, pair.dest))
    grants["Statement"].append(
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:Encrypt"], "Resource": source_key}
    )
    pair.policy(json.dumps(grants))
    pair.src_s3.put_object(Bucket=pair.source, Key="orders/1.json", Body=b"{}")
    report = replicate(principals, pair.source)
    assert f"may not kms:Encrypt on {replica_key['Arn']}" in report.explain("orders/1.json")
    assert pair.dest_body("orders/1.json") is None
