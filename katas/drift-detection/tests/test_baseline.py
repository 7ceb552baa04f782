"""R1-R4: the baseline the drift checks defend, read back from the emulator.

Policies are judged by what they mean (``harness.iam``): ``"x"`` and ``["x"]``, action
case, ``"*"`` and ``{"AWS": "*"}`` are the same; a role's grants are held against the
SPEC's allow-list (``SERVICE_ROLE_MAY`` in conftest.py), whatever their spelling. The
emulator evaluates no bucket policy, so R1's TLS clause is evaluated here, structurally,
with IAM's policy logic over the deployed document (SPEC, "How it is graded").
"""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from botocore.exceptions import ClientError

from harness.iam import (
    Allowed,
    Request,
    UnsupportedCondition,
    documents_of_role,
    evaluate,
    expand_actions,
    parse_document,
    trust_of_role,
    trusted_principals,
)
from harness.iam.resource_policy import effective_violations, read_resource_policies
from harness.pytest_plugin import not_evaluable

BLOCK_SETTINGS = (
    "BlockPublicAcls",
    "IgnorePublicAcls",
    "BlockPublicPolicy",
    "RestrictPublicBuckets",
)
# Callers the TLS deny must stop: anyone ("*"), so one of the account and one outside it.
CALLERS = (
    "arn:aws:iam::{account}:role/someone-in-the-account",
    "arn:aws:iam::210987654321:user/someone-elsewhere",
)


def _examples(items: list[str], limit: int = 3) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


@pytest.mark.requirement("R1")
def test_bucket_is_versioned_encrypted_and_blocks_public_access(baseline, aws):
    """The data bucket is versioned, encrypted by default and blocks all public access"""
    bucket = baseline.need("bucket", baseline.bucket).id
    s3 = aws("s3")
    problems = []
    status = s3.get_bucket_versioning(Bucket=bucket).get("Status")
    if status != "Enabled":
        problems.append(f"versioning is {status or 'not configured'}, not Enabled")
    try:
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"][
            "Rules"
        ]
        algorithms = {
            (r.get("ApplyServerSideEncryptionByDefault") or {}).get("SSEAlgorithm") for r in rules
        }
        if not algorithms & {"AES256", "aws:kms", "aws:kms:dsse"}:
            problems.append("its default encryption names no SSE-S3 or SSE-KMS algorithm")
    except ClientError:
        problems.append("it has no default encryption")
    try:
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        off = [k for k in BLOCK_SETTINGS if not block.get(k)]
        if off:
            problems.append(f"its public access block leaves {', '.join(off)} off")
    except ClientError:
        problems.append("it has no public access block")
    assert not problems, f"R1 (versioned, encrypted, private): bucket {bucket}: " + "; ".join(
        problems
    )


@pytest.mark.requirement("R1")
def test_bucket_policy_denies_every_s3_action_without_tls_on_the_bucket_and_its_objects(
    baseline, live_bucket_policy, account
):
    """A request without TLS is denied for every S3 action, on the bucket and on its objects"""
    bucket = baseline.need("bucket", baseline.bucket).id
    policy = live_bucket_policy(bucket)
    assert policy is not None, (
        f"R1 (deny requests without TLS): bucket {bucket} has no bucket policy, so nothing "
        "denies a request made without TLS"
    )
    document = [("bucket policy", parse_document(policy))]
    targets = {
        f"the bucket {bucket}": f"arn:aws:s3:::{bucket}",
        f"the objects of {bucket}": f"arn:aws:s3:::{bucket}/k",
    }
    not_denied: dict[str, list[str]] = {}
    try:
        for what, arn in targets.items():
            for action in sorted(expand_actions("s3:*")):
                for caller in CALLERS:
                    context = {
                        "aws:SecureTransport": "false",
                        "aws:PrincipalArn": caller.format(account=account),
                    }
                    decision = evaluate(Request(action, arn, context), [], resource_docs=document)
                    statement = decision.deciding_statement
                    if not (statement is not None and statement.denies):
                        not_denied.setdefault(what, []).append(action)
                        break
    except UnsupportedCondition as exc:
        pytest.fail(
            f"R1 (deny requests without TLS): bucket {bucket}'s policy uses a condition the "
            f"checks cannot evaluate ({exc}); not evaluable, so not passed"
        )
    assert not not_denied, "R1 (deny s3:* without TLS on the bucket and its objects): " + (
        "; ".join(
            f"on {what} the bucket policy does not deny {_examples(actions)} "
            "to a caller without TLS"
            for what, actions in not_denied.items()
        )
    )


@pytest.mark.requirement("R1")
def test_bucket_policy_denies_nothing_with_tls_and_allows_nothing_to_everyone(
    baseline, live_bucket_policy, bucket_policy_semantics, account
):
    """The TLS deny leaves TLS requests alone, and no statement allows anything to "*" """
    bucket = baseline.need("bucket", baseline.bucket).id
    policy = live_bucket_policy(bucket) or {}
    problems = list(bucket_policy_semantics.public(policy))
    document = [("bucket policy", parse_document(policy))]
    context = {
        "aws:SecureTransport": "true",
        "aws:PrincipalArn": CALLERS[0].format(account=account),
    }
    try:
        for action in ("s3:GetObject", "s3:PutObject"):
            decision = evaluate(
                Request(action, f"arn:aws:s3:::{bucket}/k", context), [], resource_docs=document
            )
            if decision.deciding_statement is not None and decision.deciding_statement.denies:
                problems.append(f"it denies {action} even over TLS ({decision.reason})")
    except UnsupportedCondition as exc:
        problems.append(f"it uses a condition the checks cannot evaluate ({exc}): not evaluable")
    assert not problems, f"R1 (TLS-only, nothing public): bucket {bucket}'s policy: " + (
        "; ".join(problems)
    )


def _group(aws, baseline) -> dict[str, Any]:
    gid = baseline.need("security group", baseline.group).id
    return aws("ec2").describe_security_groups(GroupIds=[gid])["SecurityGroups"][0]


def _protocol(perm: dict[str, Any]) -> str:
    return {"6": "tcp", "17": "udp", "1": "icmp"}.get(
        str(perm.get("IpProtocol")), perm.get("IpProtocol")
    )


@pytest.mark.requirement("R2")
def test_security_group_admits_only_https_from_the_internal_network(baseline, aws, kata_config):
    """Ingress: only TCP 443 from the internal network, nothing from anywhere else"""
    group = _group(aws, baseline)
    internal = ipaddress.ip_network(kata_config["internalCidr"])
    problems = []
    for perm in group.get("IpPermissions", []):
        ports = (_protocol(perm), perm.get("FromPort"), perm.get("ToPort"))
        if ports != ("tcp", 443, 443):
            problems.append(f"a rule admits {ports[0]} {ports[1]}-{ports[2]}, not TCP 443 only")
        for r in perm.get("IpRanges", []):
            if not ipaddress.ip_network(r["CidrIp"]).subnet_of(internal):
                problems.append(f"ingress from {r['CidrIp']} is outside {internal}")
        for r in perm.get("Ipv6Ranges", []):
            problems.append(f"ingress from {r['CidrIpv6']} is IPv6, outside {internal}")
        for r in perm.get("UserIdGroupPairs", []):
            problems.append(
                f"ingress from security group {r.get('GroupId')} is not an address range"
            )
        for r in perm.get("PrefixListIds", []):
            problems.append(f"ingress from prefix list {r.get('PrefixListId')} is not {internal}")
    if not group.get("IpPermissions"):
        problems.append("it admits nothing: the service needs HTTPS from the internal network")
    assert not problems, f"R2 (only HTTPS from {internal}): group {group['GroupId']}: " + (
        "; ".join(problems)
    )


@pytest.mark.requirement("R2")
def test_security_group_sends_only_to_the_internal_network(baseline, aws, kata_config):
    """Egress: nothing leaves for addresses outside the internal network"""
    group = _group(aws, baseline)
    internal = ipaddress.ip_network(kata_config["internalCidr"])
    outside = []
    for perm in group.get("IpPermissionsEgress", []):
        outside += [
            r["CidrIp"]
            for r in perm.get("IpRanges", [])
            if not ipaddress.ip_network(r["CidrIp"]).subnet_of(internal)
        ]
        outside += [f"{r['CidrIpv6']} (IPv6)" for r in perm.get("Ipv6Ranges", [])]
        outside += [f"prefix list {r.get('PrefixListId')}" for r in perm.get("PrefixListIds", [])]
        outside += [f"security group {r.get('GroupId')}" for r in perm.get("UserIdGroupPairs", [])]
    assert not outside, (
        f"R2 (sends only to {internal}): group {group['GroupId']} has egress to "
        f"{', '.join(outside)}, outside the internal network"
    )


@pytest.mark.requirement("R2")
def test_every_security_group_rule_has_a_description(baseline, aws):
    """Every ingress and egress rule carries a description"""
    group = _group(aws, baseline)
    bare = []
    for direction, key in (("ingress", "IpPermissions"), ("egress", "IpPermissionsEgress")):
        for perm in group.get(key, []):
            sources = [(r.get("CidrIp"), r) for r in perm.get("IpRanges", [])]
            sources += [(r.get("CidrIpv6"), r) for r in perm.get("Ipv6Ranges", [])]
            sources += [(r.get("GroupId"), r) for r in perm.get("UserIdGroupPairs", [])]
            sources += [(r.get("PrefixListId"), r) for r in perm.get("PrefixListIds", [])]
            bare += [
                f"{direction} {_protocol(perm)} {perm.get('FromPort')}-{perm.get('ToPort')} "
                f"{'from' if direction == 'ingress' else 'to'} {source}"
                for source, r in sources
                if not r.get("Description")
            ]
    assert not bare, (
        f"R2 (every rule has a description): group {group['GroupId']} has rules without one: "
        + "; ".join(bare)
    )


@pytest.mark.requirement("R3")
def test_role_is_assumable_only_by_ecs_tasks(baseline, aws, spec):
    """The service's role trusts only the ECS tasks service"""
    role = baseline.need("role", baseline.role).id
    trusted = {
        (p.principal_type, p.value) for p in trusted_principals(trust_of_role(aws("iam"), role))
    }
    extra = sorted(trusted - spec.role_trusts)
    missing = sorted(spec.role_trusts - trusted)
    problems = [f"it also trusts {kind} {value}" for kind, value in extra]
    problems += [f"it does not trust {kind} {value}" for kind, value in missing]
    assert not problems, (
        f"R3 (assumable only by ecs-tasks.amazonaws.com): role {role}: " + "; ".join(problems)
    )


def _fill(template: str, values: dict[str, str]) -> str:
    return template.format(**values)


@pytest.mark.requirement("R3")
def test_role_grants_nothing_outside_the_spec_s_allow_list(baseline, aws, account, spec):
    """Every grant of the role lies within R3's list; no managed policy, no wildcard"""
    role = baseline.need("role", baseline.role).id
    bucket = baseline.need("bucket", baseline.bucket).id
    values = {
        "region": baseline.config["region"],
        "account": account,
        "service": baseline.config["service"],
        "bucket": bucket,
    }
    allowed = [Allowed(list(actions), _fill(arn, values)) for actions, arn in spec.role_may]
    iam = aws("iam")
    grants = documents_of_role(iam, role)
    clause = (
        "R3 (may only read its configuration and objects, write objects, advance its checkpoint)"
    )
    problems = [
        f"R3 (no managed policies): role {role} has managed policy {p['PolicyArn']} attached"
        for p in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    ]
    # Whichever policy grants: in one account a bucket policy (or any resource policy)
    # naming the role, or "*", grants it on its own.
    found, unjudged = effective_violations(
        grants.principal_arn,
        grants.documents,
        allowed,
        read_resource_policies(aws, [baseline.config["region"]]),
    )
    problems += [v.message(clause) for v in found]
    for name, document in grants.documents:
        for statement in document.allow_statements:
            if statement.not_actions is not None:
                problems.append(
                    f"R3 (no wildcards): role {role}, policy {name} grants by NotAction"
                )
            for pattern in sorted(statement.actions or ()):
                if "*" in pattern or "?" in pattern:
                    problems.append(
                        f"R3 (no wildcards): role {role}, policy {name} grants {pattern} "
                        f"(= {_examples(sorted(expand_actions(pattern)))})"
                    )
    if unjudged and not problems:
        not_evaluable("the IAM model (harness.iam)", "; ".join(u.message(clause) for u in unjudged))
    assert not problems, "; ".join(problems)


@pytest.mark.requirement("R3")
def test_role_lets_the_service_do_its_work(baseline, aws, account, spec):
    """The role allows what the service does: read config, advance checkpoint, get/put objects"""
    role = baseline.need("role", baseline.role).id
    bucket = baseline.need("bucket", baseline.bucket).id
    values = {
        "region": baseline.config["region"],
        "account": account,
        "service": baseline.config["service"],
        "bucket": bucket,
    }
    grants = documents_of_role(aws("iam"), role)
    missing = []
    for action, template in spec.role_needs:
        arn = _fill(template, values)
        decision = evaluate(
            Request(action, arn), grants.documents, grants.boundary and [grants.boundary]
        )
        if not decision:
            missing.append(f"{action} on {arn} ({decision.reason})")
    assert not missing, (
        f"R3 (reads its configuration and objects, writes objects, advances its checkpoint): "
        f"role {role} does not allow " + "; ".join(missing)
    )


def _deployed_tags(aws, resource) -> dict[str, str] | None:
    """The tags the emulator holds for a resource, None when its type takes none here."""
    region = resource.region or None
    kind = resource.type
    try:
        if kind in ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"):
            try:
                tags = aws("s3", region_name=region).get_bucket_tagging(Bucket=resource.id)[
                    "TagSet"
                ]
            except ClientError:
                return {}
        elif kind == "aws:ec2/securityGroup:SecurityGroup":
            group = aws("ec2", region_name=region).describe_security_groups(GroupIds=[resource.id])
            tags = group["SecurityGroups"][0].get("Tags", [])
        elif kind == "aws:iam/role:Role":
            tags = aws("iam").list_role_tags(RoleName=resource.id)["Tags"]
        elif kind == "aws:ssm/parameter:Parameter":
            tags = aws("ssm", region_name=region).list_tags_for_resource(
                ResourceType="Parameter", ResourceId=resource.id
            )["TagList"]
        elif kind == "aws:sns/topic:Topic":
            tags = aws("sns", region_name=region).list_tags_for_resource(ResourceArn=resource.id)[
                "Tags"
            ]
        elif kind == "aws:cloudwatch/eventRule:EventRule":
            arn = resource.outputs.get("arn")
            tags = aws("events", region_name=region).list_tags_for_resource(ResourceARN=arn)["Tags"]
        else:
            return None
    except ClientError as exc:
        pytest.fail(f"R4: could not read the tags of {resource.name} ({kind}): {exc}")
    return {t["Key"]: t["Value"] for t in tags}


@pytest.mark.requirement("R4")
def test_every_taggable_resource_carries_the_required_tags(baseline, aws, spec):
    """Every resource that takes tags has owner, service and cost-center, as deployed"""
    required = dict(spec.required_tags, service=baseline.config["service"])
    resources = baseline.of(spec.taggable)
    problems = []
    for res in resources:
        tags = _deployed_tags(aws, res)
        if tags is None:
            continue
        wrong = {k: tags.get(k) for k, v in required.items() if tags.get(k) != v}
        if wrong:
            shown = ", ".join(f"{k}={v!r}" for k, v in wrong.items())
            problems.append(f"{res.name} ({res.type.split(':')[-1]}) has {shown}")
    kinds = {r.type for r in resources}
    if not {"aws:sns/topic:Topic", "aws:cloudwatch/eventRule:EventRule"} <= kinds:
        problems.append("the stack has no alert topic or no guard rule to carry them")
    assert not problems, (
        f"R4 (owner, service and cost-center on every taggable resource, values {required}): "
        + "; ".join(problems)
    )
