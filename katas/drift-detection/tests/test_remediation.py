"""R8: applying the program again (``up --refresh``) after every drill at once restores
every security-relevant property, and a refresh afterwards is clean."""

from __future__ import annotations

import ipaddress

import pytest

BLOCK_SETTINGS = (
    "BlockPublicAcls",
    "IgnorePublicAcls",
    "BlockPublicPolicy",
    "RestrictPublicBuckets",
)


@pytest.mark.requirement("R8")
def test_redeploy_restores_every_security_property(
    remediated, baseline, aws, live_bucket_policy, bucket_policy_semantics
):
    """After the redeploy: no open port, versioned, encrypted, blocked, TLS-only, no extra policy"""
    assert not remediated.error, remediated.error
    s3, ec2, iam, ssm = aws("s3"), aws("ec2"), aws("iam"), aws("ssm")
    bucket = baseline.need("bucket", baseline.bucket).id
    problems = []
    gid = baseline.need("security group", baseline.group).id
    group = ec2.describe_security_groups(GroupIds=[gid])["SecurityGroups"][0]
    # "no ingress from 0.0.0.0/0": on any port, in any spelling of the whole internet.
    opened = [
        f"{p.get('IpProtocol')} {p.get('FromPort')}-{p.get('ToPort')} from {cidr}"
        for p in group["IpPermissions"]
        for cidr in [r["CidrIp"] for r in p.get("IpRanges", [])]
        + [r["CidrIpv6"] for r in p.get("Ipv6Ranges", [])]
        if ipaddress.ip_network(cidr, strict=False).prefixlen == 0
    ]
    if opened:
        problems.append(f"the security group still admits {', '.join(opened)}")
    if s3.get_bucket_versioning(Bucket=bucket).get("Status") != "Enabled":
        problems.append("bucket versioning is not Enabled again")
    try:
        s3.get_bucket_encryption(Bucket=bucket)
    except Exception:
        problems.append("bucket default encryption is still missing")
    try:
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        if not all(block.get(k) for k in BLOCK_SETTINGS):
            problems.append(f"the public access block is incomplete: {block}")
    except Exception:
        problems.append("the public access block is still missing")
    public = bucket_policy_semantics.public(live_bucket_policy(bucket) or {})
    if public:
        problems.append(f"the bucket policy is still public: {'; '.join(public)}")
    role = baseline.need("role", baseline.role).id
    names = iam.list_role_policies(RoleName=role)["PolicyNames"]
    if "console-hotfix" in names:
        problems.append(f"the console's inline policy is still on the role: {names}")
    name = baseline.need("log-level parameter", baseline.parameter("log-level")).id
    try:
        ssm.get_parameter(Name=name)
    except Exception:
        problems.append(f"{name} was not recreated")
    assert not problems, "R8 (the redeploy restores every security property): " + "; ".join(
        problems
    )


@pytest.mark.requirement("R8")
def test_a_refresh_after_the_redeploy_is_clean(remediated):
    """No drift at all after the redeploy (the service's checkpoint included)"""
    assert not remediated.error, remediated.error
    left = [
        (e["name"], e["property"] or "(resource)", e["kind"]) for e in remediated.after["drift"]
    ]
    assert not left, f"drift left after the redeploy: {left}"


@pytest.mark.requirement("R5")
def test_remediation_keeps_the_value_the_service_wrote(remediated, baseline, aws):
    """A redeploy leaves the service's checkpoint as the service left it"""
    assert not remediated.error, remediated.error
    name = baseline.need("checkpoint parameter", baseline.parameter("checkpoint")).id
    value = aws("ssm").get_parameter(Name=name)["Parameter"]["Value"]
    assert value == "81723", (
        f"the redeploy reset {name} to {value!r}: the service's progress is lost"
    )
