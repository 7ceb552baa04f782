"""R3, R4: orders replicate to the standby (as S3 would, authorizing the configured
role); the replication role can do that and nothing else.

R4 is read by meaning (``harness.iam``): the trust policy's principals whatever their
spelling, every grant of the role's deployed policies against the SPEC's allow-list
(``REPLICATION_ALLOW_LIST`` in conftest.py), wildcards expanded and action names
compared case-insensitively. The probes under IAM enforcement demonstrate a few of
the forbidden calls; the allow-list is what guards.
"""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from harness.drills.iam import is_denied
from harness.drills.s3_replication import ReplicationRefused, as_replication_role, replicate
from harness.iam import Request, documents_of_role, evaluate, trusted_principals
from harness.iam.principals import trust_of_role
from harness.iam.resource_policy import effective_violations, read_resource_policies
from harness.pytest_plugin import not_evaluable

S3_SERVICE = "s3.amazonaws.com"


def _replicate(principals, bucket):
    try:
        return replicate(principals, bucket)
    except ReplicationRefused as exc:
        pytest.fail(f"R3: S3 would not replicate from {bucket} at all: {exc}")


@pytest.mark.requirement("R3")
def test_an_order_written_before_the_failure_is_readable_in_the_standby(
    buckets, principals, export, expected, keys
):
    key = buckets.key("orders/")
    body = json.dumps({"order": key, "total": "42.00"}).encode()
    buckets.s3_primary.put_object(
        Bucket=buckets.primary, Key=key, Body=body, ContentType="application/json"
    )
    report = _replicate(principals, buckets.primary)
    replica = buckets.read_standby(key)
    assert replica is not None, (
        f"R3: the order {key} written to the primary is not in the standby bucket "
        f"{buckets.secondary}: {report.explain(key)}"
    )
    assert replica["Body"] == body, f"R3: the replica of {key} differs from the order written"
    replica_key = replica.get("SSEKMSKeyId") or ""
    assert replica.get("ServerSideEncryption") == "aws:kms" and keys(expected.secondary).same_key(
        replica_key, export("secondaryKeyArn")
    ), (
        f"R3: the replica of {key} is encrypted with "
        f"{replica_key or replica.get('ServerSideEncryption') or 'nothing'}, not the standby "
        f"key {export('secondaryKeyArn')}: the standby could not decrypt it without the "
        "primary region"
    )


@pytest.mark.requirement("R3")
def test_scratch_data_is_not_replicated(buckets, principals):
    # tmp/ is the SPEC's scratch data; orders-archive/ is not under orders/ either.
    written = [buckets.key("tmp/", ".csv"), buckets.key("orders-archive/", ".csv")]
    for key in written:
        buckets.s3_primary.put_object(Bucket=buckets.primary, Key=key, Body=b"scratch,export")
    report = _replicate(principals, buckets.primary)
    copied = [key for key in written if buckets.read_standby(key) is not None]
    assert not copied, (
        f"R3: {', '.join(copied)} reached the standby; only objects under orders/ may "
        f"({'; '.join(report.explain(k) for k in copied)})"
    )


@pytest.mark.requirement("R3")
def test_deleting_an_order_deletes_it_in_the_standby(buckets, principals):
    key = buckets.key("orders/")
    buckets.s3_primary.put_object(Bucket=buckets.primary, Key=key, Body=b"{}")
    _replicate(principals, buckets.primary)
    assert buckets.read_standby(key) is not None, (
        f"R3: the order {key} never reached the standby, so its deletion cannot be checked"
    )
    buckets.s3_primary.delete_object(Bucket=buckets.primary, Key=key)
    report = _replicate(principals, buckets.primary)
    assert buckets.read_standby(key) is None, (
        f"R3: the order {key} deleted in the primary is still served by the standby "
        f"({report.explain(key)})"
    )


@pytest.mark.requirement("R3")
def test_replication_time_control_meets_the_rpo(aws, export, expected):
    rules = aws("s3", expected.primary).get_bucket_replication(Bucket=export("primaryBucketName"))[
        "ReplicationConfiguration"
    ]["Rules"]
    orders = [r for r in rules if r.get("Status") == "Enabled"]
    assert orders, "R3: the primary bucket's replication configuration has no enabled rule"
    problems = []
    for rule in orders:
        dest = rule.get("Destination", {})
        rtc = dest.get("ReplicationTime") or {}
        minutes = (rtc.get("Time") or {}).get("Minutes")
        if rtc.get("Status") != "Enabled" or not minutes or int(minutes) > 15:
            problems.append(f"rule {rule.get('ID')}: Replication Time Control is {rtc or 'off'}")
        if (dest.get("Metrics") or {}).get("Status") != "Enabled":
            problems.append(f"rule {rule.get('ID')}: replication metrics are off")
    assert not problems, "R3: " + "; ".join(problems) + " (the SPEC's RPO is 15 minutes)"


@pytest.mark.requirement("R4")
def test_only_s3_can_assume_the_replication_role(aws, export, principals):
    arn = export("replicationRoleArn")
    trusted = trusted_principals(trust_of_role(aws("iam"), arn))
    others = [f"{t.principal_type} {t.value}" for t in trusted if t.value != S3_SERVICE]
    assert not others, (
        f"R4 (assumable by S3 only): the trust policy of {arn} also lets "
        f"{', '.join(others)} assume it"
    )
    assert any(t.principal_type == "Service" and t.value == S3_SERVICE for t in trusted), (
        f"R4 (assumable by S3 only): the trust policy of {arn} does not let {S3_SERVICE} "
        "assume it, so S3 cannot replicate as it"
    )
    stranger = principals.stranger()
    with principals.enforced():
        try:
            stranger.client("sts").assume_role(RoleArn=arn, RoleSessionName="kata-check")
        except ClientError as exc:
            assert is_denied(exc), exc
        else:
            pytest.fail(
                f"R4 (assumable by S3 only): a user of the account assumed {arn} under IAM "
                "enforcement"
            )


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
    assert not allowed, (
        "R4 (Denied: replicating into any other bucket, reading any other bucket, ordinary "
        "object and bucket actions): under IAM enforcement the replication role may also "
        + "; ".join(allowed)
    )


@pytest.mark.requirement("R4")
def test_every_grant_is_one_replication_needs(aws, export, replication_scope, stack):
    """The SPEC's allow-list, read from the deployed policies (inline, attached, the
    boundary capping them, and every bucket or key policy of either region that names
    the role or "*": in one account those grant on their own): moto authorizes KMS
    calls against Resource "*", so grants on keys cannot be probed; what the policies
    grant can be read."""
    grants = documents_of_role(aws("iam"), export("replicationRoleArn"))
    assert grants.documents, (
        f"R4: the replication role {grants.principal_arn} has no policy: it cannot "
        "replicate anything"
    )
    regions = sorted({r.region for r in stack.managed() if r.region})
    found, unjudged = effective_violations(
        grants.principal_arn,
        grants.documents,
        replication_scope.allowed(),
        read_resource_policies(aws, regions),
        boundary=grants.boundary,
    )
    if unjudged and not found:
        clause = replication_scope.clause
        not_evaluable("the IAM model (harness.iam)", "; ".join(u.message(clause) for u in unjudged))
    assert not found, "\n".join(v.message(replication_scope.clause) for v in found)


@pytest.mark.requirement("R4")
def test_the_role_may_do_what_replication_needs(aws, export, replication_scope):
    grants = documents_of_role(aws("iam"), export("replicationRoleArn"))
    missing = []
    for action, resource, context in replication_scope.needs():
        decision = evaluate(
            Request(action, resource, {"aws:PrincipalArn": grants.principal_arn, **context}),
            grants.documents,
            boundary_docs=[grants.boundary] if grants.boundary else None,
        )
        if not decision.allowed:
            missing.append(f"{action} on {resource}")
    assert not missing, (
        f"R4 (allow what replication needs): the replication role {grants.principal_arn} "
        f"may not {'; '.join(missing)}"
    )
