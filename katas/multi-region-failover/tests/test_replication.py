"""R3, R4: orders replicate to the standby (as S3 would, acting as the configured role);
the replication role can do that and nothing else."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from harness.drills.iam import is_denied
from harness.drills.s3_replication import ReplicationRefused, as_replication_role, replicate


def _replicate(principals, bucket):
    try:
        return replicate(principals, bucket)
    except ReplicationRefused as exc:
        pytest.fail(f"S3 would not replicate at all: {exc}")


@pytest.mark.requirement("R3")
def test_an_order_written_before_the_failure_is_readable_in_the_standby(
    buckets, principals, export, region_of
):
    key = buckets.key("orders/")
    body = json.dumps({"order": key, "total": "42.00"}).encode()
    buckets.s3_primary.put_object(
        Bucket=buckets.primary, Key=key, Body=body, ContentType="application/json"
    )
    report = _replicate(principals, buckets.primary)
    replica = buckets.read_standby(key)
    assert replica is not None, f"not in {buckets.secondary}: {report.explain(key)}"
    assert replica["Body"] == body
    assert replica.get("ServerSideEncryption") == "aws:kms", "the replica is not KMS-encrypted"
    assert replica.get("SSEKMSKeyId") == export("secondaryKeyArn"), (
        f"the replica is encrypted with {replica.get('SSEKMSKeyId')}; the standby must be able "
        "to decrypt it without the primary region: use the secondary key"
    )


@pytest.mark.requirement("R3")
def test_scratch_data_is_not_replicated(buckets, principals):
    key = buckets.key("tmp/", ".csv")
    buckets.s3_primary.put_object(Bucket=buckets.primary, Key=key, Body=b"scratch,export")
    report = _replicate(principals, buckets.primary)
    assert buckets.read_standby(key) is None, (
        f"{key} was replicated; only orders/ belongs in the standby ({report.explain(key)})"
    )


@pytest.mark.requirement("R3")
def test_deleting_an_order_deletes_it_in_the_standby(buckets, principals):
    key = buckets.key("orders/")
    buckets.s3_primary.put_object(Bucket=buckets.primary, Key=key, Body=b"{}")
    _replicate(principals, buckets.primary)
    assert buckets.read_standby(key) is not None, "the order never reached the standby"
    buckets.s3_primary.delete_object(Bucket=buckets.primary, Key=key)
    report = _replicate(principals, buckets.primary)
    assert buckets.read_standby(key) is None, (
        f"the order deleted in the primary is still served by the standby ({report.explain(key)})"
    )


@pytest.mark.requirement("R3")
def test_replication_time_control_meets_the_rpo(aws, export, expected):
    rules = aws("s3", expected.primary).get_bucket_replication(Bucket=export("primaryBucketName"))[
        "ReplicationConfiguration"
    ]["Rules"]
    orders = [r for r in rules if r.get("Status") == "Enabled"]
    assert orders, "no enabled replication rule"
    problems = []
    for rule in orders:
        dest = rule.get("Destination", {})
        rtc = dest.get("ReplicationTime") or {}
        minutes = (rtc.get("Time") or {}).get("Minutes")
        if rtc.get("Status") != "Enabled" or not minutes or int(minutes) > 15:
            problems.append(f"rule {rule.get('ID')}: Replication Time Control is {rtc or 'off'}")
        if (dest.get("Metrics") or {}).get("Status") != "Enabled":
            problems.append(f"rule {rule.get('ID')}: replication metrics are off")
    assert not problems, "; ".join(problems) + " (the SPEC's RPO is 15 minutes)"


@pytest.mark.requirement("R4")
def test_only_s3_can_assume_the_replication_role(aws, export, principals):
    arn = export("replicationRoleArn")
    role = aws("iam").get_role(RoleName=arn.rsplit("/", 1)[-1])["Role"]
    doc = role["AssumeRolePolicyDocument"]
    doc = json.loads(doc) if isinstance(doc, str) else doc
    statements = doc["Statement"] if isinstance(doc["Statement"], list) else [doc["Statement"]]
    trusted = []
    for st in statements:
        if st.get("Effect") == "Allow":
            principal = st.get("Principal")
            trusted += [principal] if not isinstance(principal, dict) else list(principal.items())
    assert trusted == [("Service", "s3.amazonaws.com")], (
        f"the role trusts {trusted}; S3 (s3.amazonaws.com) is the only service that assumes it"
    )
    stranger = principals.stranger()
    with principals.enforced():
        try:
            stranger.client("sts").assume_role(RoleArn=arn, RoleSessionName="kata-check")
        except ClientError as exc:
            assert is_denied(exc), exc
        else:
            pytest.fail("another principal of the account could assume the replication role")


@pytest.fixture
def neighbours(aws, expected, buckets):
    """A bucket next to each of the pair, with an object: the role must not reach them."""
    uid = uuid.uuid4().hex[:6]
    made = []
    for region, s3 in (
        (expected.primary, buckets.s3_primary),
        (expected.secondary, buckets.s3_secondary),
    ):
        name = f"kata-check-neighbour-{uid}-{region}"
        kwargs = (
            {}
            if region == "us-east-1"
            else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        )
        s3.create_bucket(Bucket=name, **kwargs)
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        version = s3.put_object(Bucket=name, Key="orders/kata-check/1.json", Body=b"{}")[
            "VersionId"
        ]
        made.append((s3, name, version))
    yield {"primary": made[0], "secondary": made[1]}
    for s3, name, _ in made:
        listing = s3.list_object_versions(Bucket=name)
        for item in listing.get("Versions", []) + listing.get("DeleteMarkers", []):
            s3.delete_object(Bucket=name, Key=item["Key"], VersionId=item["VersionId"])
        s3.delete_bucket(Bucket=name)


@pytest.mark.requirement("R4")
def test_the_role_replicates_between_the_two_buckets_and_nowhere_else(
    principals, export, expected, buckets, neighbours
):
    arn = export("replicationRoleArn")
    replication = as_replication_role(principals, arn)  # authorized as S3 replication's actions
    plain = principals.role(arn, session_name="kata-check-plain")  # ordinary S3 actions
    probe = buckets.key("orders/")
    _, near_primary, near_version = neighbours["primary"]
    _, near_secondary, _ = neighbours["secondary"]
    rp, rs = (
        replication.client("s3", expected.primary),
        replication.client("s3", expected.secondary),
    )
    pp, ps = plain.client("s3", expected.primary), plain.client("s3", expected.secondary)
    probes = {
        f"s3:ReplicateObject into {near_secondary}": lambda: rs.put_object(
            Bucket=near_secondary, Key=probe, Body=b"{}"
        ),
        f"s3:ReplicateObject into the primary bucket {buckets.primary} (backwards)": lambda: (
            rp.put_object(Bucket=buckets.primary, Key=probe, Body=b"{}")
        ),
        f"s3:GetObjectVersionForReplication in {near_primary}": lambda: rp.get_object(
            Bucket=near_primary, Key="orders/kata-check/1.json", VersionId=near_version
        ),
        f"s3:GetObject in the secondary bucket {buckets.secondary}": lambda: ps.get_object(
            Bucket=buckets.secondary, Key=probe
        ),
        f"s3:PutObject into the secondary bucket {buckets.secondary}": lambda: ps.put_object(
            Bucket=buckets.secondary, Key=probe, Body=b"{}"
        ),
        f"s3:DeleteObject in the primary bucket {buckets.primary}": lambda: pp.delete_object(
            Bucket=buckets.primary, Key=probe
        ),
        f"s3:ListBucket on {near_primary}": lambda: pp.list_objects_v2(Bucket=near_primary),
        f"s3:DeleteBucketPolicy on {buckets.secondary}": lambda: ps.delete_bucket_policy(
            Bucket=buckets.secondary
        ),
    }
    allowed = []
    with principals.enforced():
        for label, call in probes.items():
            try:
                call()
            except ClientError as exc:
                if is_denied(exc):
                    continue
            allowed.append(label)
    assert not allowed, "the replication role may also:\n" + "\n".join(allowed)


@pytest.mark.requirement("R4")
def test_every_grant_names_one_of_the_two_buckets_or_their_keys(aws, export):
    """Read from the deployed policies: moto authorizes KMS calls against Resource "*",
    so the key grants cannot be probed; the ARNs they name can be read."""
    iam = aws("iam")
    name = export("replicationRoleArn").rsplit("/", 1)[-1]
    primary, secondary = export("primaryBucketName"), export("secondaryBucketName")
    allowed = {
        f"arn:aws:s3:::{primary}",
        f"arn:aws:s3:::{primary}/*",
        f"arn:aws:s3:::{secondary}",
        f"arn:aws:s3:::{secondary}/*",
        export("primaryKeyArn"),
        export("secondaryKeyArn"),
    }
    documents = [
        iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"]
        for p in iam.list_role_policies(RoleName=name)["PolicyNames"]
    ]
    for attached in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
        policy = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
        documents.append(
            iam.get_policy_version(
                PolicyArn=attached["PolicyArn"], VersionId=policy["DefaultVersionId"]
            )["PolicyVersion"]["Document"]
        )
    assert documents, "the replication role has no policy: it cannot replicate anything"
    stray = []
    for doc in documents:
        doc = json.loads(doc) if isinstance(doc, str) else doc
        statements = doc["Statement"] if isinstance(doc["Statement"], list) else [doc["Statement"]]
        for st in statements:
            if st.get("Effect") != "Allow":
                continue
            if "NotResource" in st or "NotAction" in st:
                stray.append(f"{st.get('Sid', 'a statement')} uses NotResource/NotAction")
            resources = st.get("Resource", [])
            for resource in [resources] if isinstance(resources, str) else resources:
                if resource not in allowed:
                    stray.append(f"{st.get('Action')} on {resource}")
    assert not stray, "grants beyond the two buckets and their keys:\n" + "\n".join(stray)
