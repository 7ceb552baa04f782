"""R1-R4: the baseline the drift checks defend, read back from the emulator."""

from __future__ import annotations

import ipaddress
import json

import pytest
from botocore.exceptions import ClientError

BLOCK_SETTINGS = (
    "BlockPublicAcls",
    "IgnorePublicAcls",
    "BlockPublicPolicy",
    "RestrictPublicBuckets",
)


def _statements(doc):
    statements = doc.get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def _list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@pytest.mark.requirement("R1")
def test_bucket_is_versioned_encrypted_and_blocks_public_access(baseline, aws):
    """The data bucket is versioned, encrypted by default and blocks all public access"""
    bucket = baseline.need("bucket", baseline.bucket).id
    s3 = aws("s3")
    problems = []
    if s3.get_bucket_versioning(Bucket=bucket).get("Status") != "Enabled":
        problems.append("versioning is not Enabled")
    try:
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"][
            "Rules"
        ]
        algorithms = {r["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] for r in rules}
        if not algorithms & {"AES256", "aws:kms", "aws:kms:dsse"}:
            problems.append(f"default encryption sets no algorithm: {rules}")
    except ClientError:
        problems.append("no default encryption")
    try:
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        off = [k for k in BLOCK_SETTINGS if not block.get(k)]
        if off:
            problems.append(f"the public access block leaves {', '.join(off)} off")
    except ClientError:
        problems.append("no public access block")
    assert not problems, f"bucket {bucket}: " + "; ".join(problems)


@pytest.mark.requirement("R1")
def test_bucket_policy_denies_requests_without_tls(baseline, live_bucket_policy):
    """The bucket policy denies every request made without TLS"""
    bucket = baseline.need("bucket", baseline.bucket).id
    policy = live_bucket_policy(bucket)
    assert policy is not None, f"bucket {bucket} has no bucket policy"
    for s in _statements(policy):
        condition = s.get("Condition", {}).get("Bool", {})
        actions = _list(s.get("Action"))
        if (
            s.get("Effect") == "Deny"
            and s.get("Principal") in ("*", {"AWS": "*"})
            and str(condition.get("aws:SecureTransport")).lower() == "false"
            and ("s3:*" in actions or "*" in actions)
            and f"arn:aws:s3:::{bucket}/*" in _list(s.get("Resource"))
        ):
            break
    else:
        pytest.fail(f"no statement denies s3:* on {bucket}/* when aws:SecureTransport is false")
    public = [
        s
        for s in _statements(policy)
        if s.get("Effect") == "Allow" and s.get("Principal") in ("*", {"AWS": "*"})
    ]
    assert not public, f"the bucket policy allows anyone: {public}"


def _permissions(group, key):
    return group.get(key, [])


@pytest.mark.requirement("R2")
def test_security_group_admits_only_https_from_the_internal_network(baseline, aws, kata_config):
    """Ingress: only TCP 443 from the internal network, nothing from anywhere else"""
    gid = baseline.need("security group", baseline.group).id
    group = aws("ec2").describe_security_groups(GroupIds=[gid])["SecurityGroups"][0]
    internal = ipaddress.ip_network(kata_config["internalCidr"])
    problems = []
    for perm in group.get("IpPermissions", []):
        ports = (perm.get("IpProtocol"), perm.get("FromPort"), perm.get("ToPort"))
        if ports != ("tcp", 443, 443):
            problems.append(f"ingress {ports} is not HTTPS (tcp 443)")
        for r in perm.get("IpRanges", []):
            if not ipaddress.ip_network(r["CidrIp"]).subnet_of(internal):
                problems.append(f"ingress from {r['CidrIp']} is outside {internal}")
        for r in perm.get("Ipv6Ranges", []):
            problems.append(f"ingress from {r['CidrIpv6']} (IPv6) is outside {internal}")
        for r in perm.get("UserIdGroupPairs", []) + perm.get("PrefixListIds", []):
            problems.append(f"ingress from {r} is not the internal network")
    if not group.get("IpPermissions"):
        problems.append("no ingress at all: the service needs HTTPS from the internal network")
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("R2")
def test_security_group_sends_only_to_the_internal_network(baseline, aws, kata_config):
    """Egress: nothing leaves for addresses outside the internal network"""
    gid = baseline.need("security group", baseline.group).id
    group = aws("ec2").describe_security_groups(GroupIds=[gid])["SecurityGroups"][0]
    internal = ipaddress.ip_network(kata_config["internalCidr"])
    outside = [
        r["CidrIp"]
        for perm in group.get("IpPermissionsEgress", [])
        for r in perm.get("IpRanges", [])
        if not ipaddress.ip_network(r["CidrIp"]).subnet_of(internal)
    ]
    outside += [
        r["CidrIpv6"] for p in group.get("IpPermissionsEgress", []) for r in p.get("Ipv6Ranges", [])
    ]
    assert not outside, f"egress to {outside} leaves the internal network {internal}"


@pytest.mark.requirement("R3")
def test_role_is_assumable_only_by_ecs_tasks(baseline, aws):
    """The service's role trusts only the ECS tasks service"""
    role = aws("iam").get_role(RoleName=baseline.need("role", baseline.role).id)["Role"]
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    principals = [s.get("Principal") for s in _statements(trust) if s.get("Effect") == "Allow"]
    assert principals == [{"Service": "ecs-tasks.amazonaws.com"}], (
        f"trust policy principals: {principals}"
    )


def _grants(aws, role_name):
    iam = aws("iam")
    docs = []
    for name in iam.list_role_policies(RoleName=role_name)["PolicyNames"]:
        doc = iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"]
        docs.append((name, json.loads(doc) if isinstance(doc, str) else doc))
    attached = iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]
    return docs, attached


@pytest.mark.requirement("R3")
def test_role_reads_its_config_and_bucket_and_writes_only_its_checkpoint(baseline, aws, stack):
    """The role may read its parameters and objects, write objects and only its checkpoint"""
    role = baseline.need("role", baseline.role).id
    bucket = baseline.need("bucket", baseline.bucket).id
    docs, attached = _grants(aws, role)
    account = baseline.role.outputs["arn"].split(":")[4]
    params = f"arn:aws:ssm:{baseline.config['region']}:{account}:parameter{baseline.prefix}"
    allowed = {
        "ssm:getparameter": {f"{params}/*"},
        "ssm:getparameters": {f"{params}/*"},
        "ssm:putparameter": {f"{params}/checkpoint"},
        "s3:getobject": {f"arn:aws:s3:::{bucket}/*"},
        "s3:putobject": {f"arn:aws:s3:::{bucket}/*"},
    }
    problems = [f"managed policy {p['PolicyArn']} is attached" for p in attached]
    granted: dict[str, set[str]] = {}
    for name, doc in docs:
        for s in _statements(doc):
            if s.get("Effect") != "Allow":
                continue
            if "NotAction" in s or "NotResource" in s:
                problems.append(f"{name}: NotAction/NotResource grants more than it names")
                continue
            for action in _list(s.get("Action")):
                resources = set(_list(s.get("Resource")))
                wanted = allowed.get(action.lower())
                if wanted is None:
                    problems.append(f"{name}: {action} is not something the service needs")
                elif not resources <= wanted:
                    problems.append(
                        f"{name}: {action} on {sorted(resources - wanted)}; only {sorted(wanted)}"
                    )
                granted.setdefault(action.lower(), set()).update(resources)
    missing = [
        a for a in ("ssm:getparameter", "ssm:putparameter", "s3:getobject") if a not in granted
    ]
    if missing:
        problems.append(f"the service cannot work without {missing}")
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("R4")
def test_every_taggable_resource_carries_the_required_tags(baseline, judge):
    """Every resource that takes tags has owner, service and cost-center"""
    from_types = baseline.of(
        (
            "aws:s3/bucket:Bucket",
            "aws:s3/bucketV2:BucketV2",
            "aws:ec2/securityGroup:SecurityGroup",
            "aws:iam/role:Role",
            "aws:ssm/parameter:Parameter",
            "aws:sns/topic:Topic",
            "aws:cloudwatch/eventRule:EventRule",
        )
    )
    required = {"owner": "team-orders", "service": "orders", "cost-center": "cc-4417"}
    problems = []
    for res in from_types:
        tags = res.inputs.get("tags") or {}
        wrong = {k: tags.get(k) for k, v in required.items() if tags.get(k) != v}
        if wrong:
            problems.append(f"{res.name} ({res.type.split(':')[-1]}): {wrong}")
    assert from_types, "the stack has no taggable resources"
    assert not problems, f"required tags {required} missing or wrong on: " + "; ".join(problems)
