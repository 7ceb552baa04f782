"""Fixtures shared by the least-privilege-iam checks.

The checks act as the deployed principals with IAM enforced (harness.drills.iam) and
probe calls the SPEC permits or forbids. A broken program may let a forbidden probe
through, so every probe is chosen to leave nothing that teardown or the converge
stage would trip over: forbidden writes go to keys marked ``kata-check`` (removed at
the end), IAM writes carry an invalid document or name an entity that does not
exist, and configuration a probe could change is put back afterwards.

Requirements R1-R5 are about each role's own policies and R6 about its boundary:
each layer must hold on its own, so a tight boundary cannot hide a loose policy.
A boundary only ever removes permissions, which makes two modes enough: calls the
SPEC permits are made ``as-deployed`` (policies and boundary together must allow
them); calls it forbids are made ``policies-alone``, with the role's boundary
detached for the duration of the check and restored after (if the policies alone
deny a call, the deployed role denies it too).

Probes only try the calls someone thought of, so least privilege is also checked as an
allow-list: ``ALLOW_LISTS`` writes each principal's SPEC sentence once, and every grant
outside it fails, whatever its spelling (harness.iam expands wildcards against AWS's
action catalog and reads "x" and ["x"] alike).

One set of principals serves the whole run (a role session costs an AssumeRole, and
every emulator call about 10 ms). Policy documents are read once from the emulator,
before any probe, into ``deployed``: the definition checks judge exactly what the
program deployed, never preview values.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest
from botocore.exceptions import ClientError

from harness.drills.iam import Principal, Principals, is_denied
from harness.iam import (
    Allowed,
    Document,
    Grants,
    Request,
    Violation,
    documents_of_role,
    documents_of_user,
    evaluate,
    expand_actions,
    trust_of_role,
    violations,
)
from harness.iam.principals import managed_policy_document
from harness.iam.resource_policy import (
    ResourcePolicy,
    Unjudged,
    effective_violations,
    read_resource_policies,
)
from harness.pytest_plugin import not_evaluable

MARK = "kata-check"
ROLE_EXPORTS = {
    "ingest": "ingestRoleArn",
    "reporting": "reportingRoleArn",
    "break-glass": "breakGlassRoleArn",
}


@dataclass
class Pipeline:
    """The deployed pipeline, as the stack exports name it, plus its neighbours."""

    MARK: ClassVar[str] = MARK
    RAW_SEED: ClassVar[str] = f"raw/{MARK}/seed.json"
    CURATED_SEED: ClassVar[str] = f"curated/{MARK}/seed.json"
    REPORT_SEED: ClassVar[str] = f"daily/{MARK}/seed.csv"
    AS_DEPLOYED: ClassVar[str] = "as-deployed"
    POLICIES_ALONE: ClassVar[str] = "policies-alone"

    account: str
    data_bucket: str
    reports_bucket: str
    queue_url: str
    queue_arn: str
    roles: dict[str, str]  # "ingest" / "reporting" / "break-glass" -> role ARN
    on_call_user: str  # user name
    neighbour_bucket: str  # "<data bucket>-backup": a bucket wildcard must not reach it
    neighbour_queue_url: str = ""  # "<queue>-backfill": a queue wildcard must not reach it

    def role_name(self, key: str) -> str:
        return self.roles[key].rsplit("/", 1)[-1]

    def others(self, key: str) -> dict[str, str]:
        return {k: arn for k, arn in self.roles.items() if k != key}

    @staticmethod
    def bucket_arn(bucket: str) -> str:
        return f"arn:aws:s3:::{bucket}"

    def missing_policy_arn(self) -> str:
        return f"arn:aws:iam::{self.account}:policy/{MARK}-does-not-exist"


def _resolve_role_arn(iam: Any, value: str) -> str:
    # Tolerate a role name here, so that a wrong export fails R10 alone.
    if value.startswith("arn:"):
        return value
    return iam.get_role(RoleName=value.rsplit("/", 1)[-1])["Role"]["Arn"]


def _empty(s3: Any, bucket: str, only_marked: bool = True) -> None:
    with contextlib.suppress(ClientError):
        listing = s3.list_object_versions(Bucket=bucket)
        for item in listing.get("Versions", []) + listing.get("DeleteMarkers", []):
            if MARK in item["Key"] or not only_marked:
                s3.delete_object(Bucket=bucket, Key=item["Key"], VersionId=item["VersionId"])


@pytest.fixture(scope="session")
def pipeline(stack: Any, aws: Callable[..., Any]) -> Iterator[Pipeline]:
    out = stack.outputs
    iam, s3, sqs = aws("iam"), aws("s3"), aws("sqs")
    queue_url = out["ingestQueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    p = Pipeline(
        account=queue_arn.split(":")[4],
        data_bucket=out["dataBucketName"],
        reports_bucket=out["reportsBucketName"],
        queue_url=queue_url,
        queue_arn=queue_arn,
        roles={k: _resolve_role_arn(iam, out[name]) for k, name in ROLE_EXPORTS.items()},
        on_call_user=out["onCallUserArn"].rsplit("/", 1)[-1],
        neighbour_bucket=f"{out['dataBucketName']}-backup",
    )
    s3.create_bucket(Bucket=p.neighbour_bucket)
    queue_name = queue_arn.rsplit(":", 1)[-1]
    p.neighbour_queue_url = sqs.create_queue(QueueName=f"{queue_name}-backfill")["QueueUrl"]
    for bucket, key in [
        (p.data_bucket, p.RAW_SEED),
        (p.data_bucket, p.CURATED_SEED),
        (p.reports_bucket, p.REPORT_SEED),
        (p.neighbour_bucket, p.CURATED_SEED),
    ]:
        s3.put_object(Bucket=bucket, Key=key, Body=b'{"seeded-by": "kata-check"}')
    try:
        yield p
    finally:
        _empty(s3, p.data_bucket)
        _empty(s3, p.reports_bucket)
        _empty(s3, p.neighbour_bucket, only_marked=False)
        with contextlib.suppress(ClientError):
            s3.delete_bucket(Bucket=p.neighbour_bucket)
        with contextlib.suppress(ClientError):
            sqs.delete_queue(QueueUrl=p.neighbour_queue_url)


# --- the SPEC's allow-lists -------------------------------------------------------------
#
# Least privilege is an allow-list: what each principal may do is written here once, in
# the SPEC's words, and every grant outside it is a violation however it is spelled
# (``sqs:Delete*`` grants sqs:DeleteQueue, ``S3:PutObject*`` grants s3:PutObjectAcl).
# ``{data}``, ``{reports}`` (bucket ARNs), ``{queue}`` and ``{break_glass}`` are filled in
# from what was deployed.

QUEUE_CONSUMER = [
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueAttributes",
]
OBJECT_UPLOAD = ["s3:PutObject", "s3:AbortMultipartUpload"]

# principal -> [(requirement, Allowed)], each line quoting the SPEC sentence it encodes.
ALLOW_LISTS: dict[str, list[tuple[str, Allowed]]] = {
    "ingest": [
        # R1: "It may call sqs:ReceiveMessage, sqs:DeleteMessage, sqs:ChangeMessageVisibility
        # and sqs:GetQueueAttributes on the ingest queue's ARN."
        ("R1", Allowed(QUEUE_CONSUMER, "{queue}")),
        # R2: "It may call s3:PutObject (and s3:AbortMultipartUpload, for large files) on
        # keys that begin with raw/."
        ("R2", Allowed(OBJECT_UPLOAD, "{data}/raw/*")),
    ],
    "reporting": [
        # R3: "It may call s3:GetObject on keys under curated/ in the data bucket;"
        ("R3", Allowed("s3:GetObject", "{data}/curated/*")),
        # R3: "s3:ListBucket on the data bucket, restricted by an s3:prefix condition to
        # prefixes under curated/;"
        (
            "R3",
            Allowed("s3:ListBucket", "{data}", {"StringLike": {"s3:prefix": ["curated/*"]}}),
        ),
        # R3: "and s3:PutObject (and s3:AbortMultipartUpload) on any key of the reports bucket."
        ("R3", Allowed(OBJECT_UPLOAD, "{reports}/*")),
    ],
    "break-glass": [
        # R5: "It may call s3:GetObject on any object and s3:ListBucket on both pipeline
        # buckets, and sqs:GetQueueAttributes on the ingest queue."
        ("R5", Allowed("s3:GetObject", ["{data}/*", "{reports}/*"])),
        ("R5", Allowed("s3:ListBucket", ["{data}", "{reports}"])),
        ("R5", Allowed("sqs:GetQueueAttributes", "{queue}")),
    ],
    "on-call": [
        # R4: "The on-call user's only permission is sts:AssumeRole on the break-glass role."
        ("R4", Allowed("sts:AssumeRole", "{break_glass}")),
    ],
}

# Which requirement a grant outside the allow-list breaks, by principal and action.
CLAUSES = {
    "ingest": lambda action: (
        ('R1 "the ingest role can do nothing else in SQS"')
        if action.startswith("sqs:")
        else 'R2 "the ingest role can only write objects under raw/ in the data bucket"'
    ),
    "reporting": lambda _action: (
        'R3 "the reporting role reads and lists only curated/ (s3:ListBucket only under an '
        's3:prefix condition within curated/) and only writes to the reports bucket"'
    ),
    "break-glass": lambda _action: 'R5 "the break-glass role is read-only over the pipeline"',
    "on-call": lambda _action: (
        'R4 "the on-call user\'s only permission is sts:AssumeRole on the break-glass role"'
    ),
}

# R6: "Even with a policy allowing "*" on "*" attached to it, a role can still not: call
# any IAM action; read or write any bucket or queue outside the pipeline; delete objects;
# change a bucket policy; send to the ingest queue." What a boundary may allow, then:
BOUNDARY_FORBIDS = frozenset(
    {
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",
        "s3:PutBucketPolicy",
        "s3:DeleteBucketPolicy",
        "sqs:SendMessage",
    }
)
BOUNDARY_SCOPE = ("iam:*", "s3:*", "sqs:*")


def boundary_allow_list(p: Pipeline) -> list[Allowed]:
    s3_ok = sorted(expand_actions("s3:*") - BOUNDARY_FORBIDS)
    sqs_ok = sorted(expand_actions("sqs:*") - BOUNDARY_FORBIDS)
    data, reports = p.bucket_arn(p.data_bucket), p.bucket_arn(p.reports_bucket)
    return [
        Allowed(s3_ok, [data, f"{data}/*", reports, f"{reports}/*"]),
        Allowed(sqs_ok, p.queue_arn),
    ]


def allow_list(who: str, p: Pipeline) -> list[Allowed]:
    values = {
        "data": p.bucket_arn(p.data_bucket),
        "reports": p.bucket_arn(p.reports_bucket),
        "queue": p.queue_arn,
        "break_glass": p.roles["break-glass"],
    }
    out = []
    for _requirement, entry in ALLOW_LISTS[who]:
        resources = [r.format(**values) for r in entry.resource_list()]
        out.append(Allowed(entry.actions, resources, entry.conditions))
    return out


# --- what was deployed, read once before any probe ------------------------------------


@dataclass
class Deployed:
    """Every principal's grants (harness.iam.Grants), trust policies and the stack's policies."""

    grants: dict[str, Grants] = field(default_factory=dict)  # role key or "on-call"
    trust: dict[str, Document] = field(default_factory=dict)  # role key -> trust policy
    boundary: dict[str, str | None] = field(default_factory=dict)  # role key -> boundary ARN
    boundary_errors: dict[str, str] = field(default_factory=dict)  # role key -> why unreadable
    # every policy document the stack created or attached, by a label naming it
    all_documents: dict[str, Document] = field(default_factory=dict)
    on_call_user_arn: str = ""
    # Every bucket, queue, topic, key, secret and function policy of the account: in
    # one account a resource policy that names a principal grants it on its own.
    resource_policies: list[ResourcePolicy] = field(default_factory=list)

    def documents(self, who: str) -> list[tuple[str, Document]]:
        grants = self.grants.get(who)
        return list(grants.documents) if grants else []


def _role_grants(iam: Any, name: str) -> tuple[Grants, str | None, str | None]:
    """A role's grants; a boundary naming no readable policy is R6's finding, not an error."""
    try:
        grants = documents_of_role(iam, name)
        return grants, grants.boundary_arn, None
    except ClientError as exc:
        role = iam.get_role(RoleName=name)["Role"]
        arn = (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        if not arn:
            raise
        # Read the identity policies alone, then report the boundary as unreadable.
        iam_without = _NoBoundary(iam)
        grants = documents_of_role(iam_without, name)
        return grants, arn, f"{arn} cannot be read ({_code(exc)})"


class _NoBoundary:
    """An IAM client whose get_role hides the boundary (to read a role's own policies)."""

    def __init__(self, iam: Any) -> None:
        self._iam = iam

    def get_role(self, **kwargs: Any) -> Any:
        answer = self._iam.get_role(**kwargs)
        answer["Role"].pop("PermissionsBoundary", None)
        return answer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._iam, name)


@pytest.fixture(scope="session")
def deployed(pipeline: Pipeline, aws: Callable[..., Any], stack: Any, region: str) -> Deployed:
    iam = aws("iam")
    d = Deployed()
    d.resource_policies = read_resource_policies(aws, [region])
    for key in pipeline.roles:
        name = pipeline.role_name(key)
        grants, boundary_arn, error = _role_grants(iam, name)
        d.grants[key] = grants
        d.boundary[key] = boundary_arn
        if error:
            d.boundary_errors[key] = error
        d.trust[key] = trust_of_role(iam, name)
    on_call = documents_of_user(iam, pipeline.on_call_user)
    d.grants["on-call"] = on_call
    d.on_call_user_arn = on_call.principal_arn
    # R8 judges every policy the stack creates, attached to a pipeline principal or not.
    for key, grants in d.grants.items():
        for label, doc in grants.documents:
            d.all_documents[f"{key} policy {label}"] = doc
        if grants.boundary is not None:
            d.all_documents[f"boundary {grants.boundary_arn}"] = grants.boundary
    for resource in stack.resources:
        if resource.type == "aws:iam/policy:Policy" and resource.id:
            known = any(resource.id in label for label in d.all_documents)
            with contextlib.suppress(ClientError):
                if not known:
                    d.all_documents[f"managed policy {resource.id}"] = managed_policy_document(
                        iam, resource.id
                    )
    return d


def least_privilege_findings(
    who: str, pipeline: Pipeline, deployed: Deployed, only: Any = None
) -> tuple[list[str], list[Unjudged]]:
    """One sentence per grant to ``who`` outside the SPEC's allow-list, and the
    resource-policy statements that may grant more but cannot be judged.

    The grants are those of ``who``'s own policies and of every resource policy (bucket,
    queue, …) that names it, by its ARN or as ``"*"``: the SPEC's "is all it may be
    granted" does not care which policy grants (harness.iam.resource_policy).
    """
    grants = deployed.grants[who]
    found, unjudged = effective_violations(
        grants.principal_arn,
        grants.documents,
        allow_list(who, pipeline),
        deployed.resource_policies,
        scope=only,
    )
    return summarize(found, lambda v: CLAUSES[who](v.action)), unjudged


def _label(arn: str) -> str:
    # "arn:aws:iam::1:role/ingest-1a2b" -> "role ingest-1a2b", as Violation.message says it
    kind, _, name = arn.split(":", 5)[-1].partition("/")
    return f"{kind} {name.rsplit('/', 1)[-1]}" if name else arn


def summarize(found: list[Violation], clause: Callable[[Violation], str]) -> list[str]:
    """One sentence per grant as written: ``s3:*`` on a bucket is one finding, not 168."""
    groups: dict[tuple, list[Violation]] = {}
    for v in found:
        key = (clause(v), v.document_name, v.sid, v.action_as_written, v.resource)
        groups.setdefault(key, []).append(v)
    out = []
    for (text, *_), group in groups.items():
        first = group[0]
        if len(group) == 1:
            out.append(first.message(text))
            continue
        examples = ", ".join(v.action for v in group[:4])
        where = (
            f"{first.document_name}, statement {first.sid}" if first.sid else first.document_name
        )
        out.append(
            f"{text}: {_label(first.principal)} may "
            f"{len(group)} actions granted as {first.action_as_written} on {first.resource} "
            f"(e.g. {examples}) — not in the SPEC's allow-list (policy {where})"
        )
    return out


# --- acting as the pipeline's principals ----------------------------------------------


@pytest.fixture(scope="session")
def principals(emulator: Any, region: str) -> Iterator[Principals]:
    p = Principals(emulator, region)
    try:
        yield p
    finally:
        p.close()


@pytest.fixture(scope="session")
def on_call(principals: Principals, pipeline: Pipeline) -> Principal:
    """The on-call engineer, signing in with an access key of their IAM user."""
    return principals.user(pipeline.on_call_user)


@pytest.fixture(scope="session")
def stranger(principals: Principals, deployed: Deployed) -> Principal:
    """Another user of the account, whose own policy allows sts:AssumeRole on "*"."""
    # ``deployed`` first: the stranger must not show up in the snapshot of the account.
    return principals.stranger()


@contextlib.contextmanager
def _boundary_detached(iam: Any, role_name: str, boundary: str | None) -> Iterator[None]:
    if boundary:
        iam.delete_role_permissions_boundary(RoleName=role_name)
    try:
        yield
    finally:
        if boundary:
            iam.put_role_permissions_boundary(RoleName=role_name, PermissionsBoundary=boundary)


@pytest.fixture(scope="session")
def act_as(
    principals: Principals, aws: Callable[..., Any], pipeline: Pipeline, deployed: Deployed
) -> Callable[[str, str], contextlib.AbstractContextManager[Principal]]:
    """``with act_as("ingest", pipeline.POLICIES_ALONE) as ingest:``, IAM enforced inside."""
    sessions: dict[str, Principal] = {}

    @contextlib.contextmanager
    def enter(role: str, mode: str) -> Iterator[Principal]:
        if role not in sessions:
            sessions[role] = principals.role(pipeline.roles[role], session_name=f"{MARK}-{role}")
        with contextlib.ExitStack() as scope:
            if mode == Pipeline.POLICIES_ALONE:
                scope.enter_context(
                    _boundary_detached(
                        aws("iam"), pipeline.role_name(role), deployed.boundary[role]
                    )
                )
            scope.enter_context(principals.enforced())
            yield sessions[role]

    return enter


@pytest.fixture(scope="session")
def enforced(principals: Principals) -> Callable[[], contextlib.AbstractContextManager[None]]:
    return principals.enforced


@pytest.fixture
def data_bucket_policy_restored(aws: Callable[..., Any], pipeline: Pipeline) -> Iterator[None]:
    """Put the data bucket's policy back, should a s3:PutBucketPolicy probe get through."""
    s3 = aws("s3")

    def current() -> str | None:
        try:
            return s3.get_bucket_policy(Bucket=pipeline.data_bucket)["Policy"]
        except ClientError:
            return None

    before = current()
    yield
    if current() != before:
        if before is None:
            s3.delete_bucket_policy(Bucket=pipeline.data_bucket)
        else:
            s3.put_bucket_policy(Bucket=pipeline.data_bucket, Policy=before)


def probe_bucket_policy(bucket: str) -> str:
    # Harmless should it get through: it only denies deleting the bucket (and the
    # emulator does not evaluate bucket policies anyway).
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "KataCheckProbe",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:DeleteBucket",
                    "Resource": f"arn:aws:s3:::{bucket}",
                }
            ],
        }
    )


# --- judging ---------------------------------------------------------------------------


class Expect:
    """Run a battery of calls and report every one that went the wrong way, at once."""

    @staticmethod
    def allowed(who: str, calls: dict[str, Callable[[], Any]]) -> None:
        wrong = []
        for label, call in calls.items():
            try:
                call()
            except ClientError as exc:
                if not is_denied(exc):
                    raise
                wrong.append(f"{who}: {label} was denied ({_code(exc)}); the SPEC permits it")
        Expect.no_findings(wrong)

    @staticmethod
    def denied(who: str, calls: dict[str, Callable[[], Any]]) -> None:
        wrong = []
        for label, call in calls.items():
            try:
                call()
            except ClientError as exc:
                if is_denied(exc):
                    continue
                # Probes are built to fail right after authorization, so that nothing
                # changes when one gets through: the error proves IAM let it pass.
                wrong.append(
                    f"{who}: {label} was allowed (it got past IAM, then failed harmlessly "
                    f"with {_code(exc)}); the SPEC forbids it"
                )
            else:
                wrong.append(f"{who}: {label} was allowed; the SPEC forbids it")
        Expect.no_findings(wrong)

    @staticmethod
    def no_findings(findings: list[str], heading: str = "") -> None:
        # Raised directly: pytest's rewritten `assert` would repeat the list in the report.
        if findings:
            raise AssertionError(heading + "\n".join(findings))


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code") or exc)


@pytest.fixture(scope="session")
def expect() -> type[Expect]:
    return Expect


@pytest.fixture(scope="session")
def least_privilege(pipeline: Pipeline, deployed: Deployed) -> Callable[..., list[str]]:
    """``least_privilege("ingest", only="sqs:*")``: grants outside the SPEC's allow-list.

    With none found but a resource-policy statement that may grant more and cannot be
    judged (a principal form or condition key the IAM model does not resolve), the
    check ends as not evaluable: neither passed nor failed.
    """

    def findings(who: str, only: Any = None) -> list[str]:
        found, unjudged = least_privilege_findings(who, pipeline, deployed, only)
        if unjudged and not found:
            clause = CLAUSES[who](only if isinstance(only, str) else "")
            not_evaluable(
                "the IAM model (harness.iam)", "; ".join(u.message(clause) for u in unjudged)
            )
        return found

    return findings


BOUNDARY_CLAUSE = (
    'R6 "a role can still not: call any IAM action; read or write any bucket or queue '
    "outside the pipeline; delete objects; change a bucket policy; send to the ingest "
    'queue"'
)


@pytest.fixture(scope="session")
def boundary_overreach(pipeline: Pipeline, deployed: Deployed) -> Callable[[], list[str]]:
    """Every grant of a deployed boundary that R6 says it must not allow."""

    def findings() -> list[str]:
        out, seen = [], set()
        allowed = boundary_allow_list(pipeline)
        for grants in deployed.grants.values():
            if grants.boundary is None or grants.boundary_arn in seen:
                continue
            seen.add(grants.boundary_arn)
            found = violations(
                grants.boundary_arn or "boundary",
                [(f"boundary {grants.boundary_arn}", grants.boundary)],
                allowed,
                scope=BOUNDARY_SCOPE,
            )
            out += summarize(found, lambda _v: BOUNDARY_CLAUSE)
        return out

    return findings


@pytest.fixture(scope="session")
def boundary_gaps(pipeline: Pipeline, deployed: Deployed) -> Callable[[], list[str]]:
    """Every call R1-R5 permit a role that its deployed boundary would refuse."""

    def findings() -> list[str]:
        out = []
        for role in ROLE_EXPORTS:
            grants = deployed.grants[role]
            if grants.boundary is None:
                continue  # no boundary: R6's other check says so
            for entry in allow_list(role, pipeline):
                # A concrete request inside each allowed pattern, with the condition keys
                # the SPEC's own grant would carry (s3:prefix under curated/).
                context = {"s3:prefix": "curated/kata-check/"} if entry.conditions else {}
                for action in sorted(entry.action_set):
                    for pattern in entry.resource_list():
                        resource = pattern.replace("*", f"{MARK}/sample")
                        decision = evaluate(
                            Request(action, resource, context),
                            [(f"boundary {grants.boundary_arn}", grants.boundary)],
                        )
                        if not decision.allowed:
                            out.append(
                                f'R6 "the boundary must still let each role do what R1-R5 '
                                f'permit": the boundary of {role} refuses {action} on '
                                f"{resource}, which the SPEC permits it."
                            )
        return out

    return findings


@pytest.fixture(scope="session")
def bucket_policy_probe() -> Callable[[str], str]:
    return probe_bucket_policy


@dataclass
class OtherPrincipals:
    """Roles and users the stack created beyond the pipeline's three roles and the
    on-call user. "Every role" (R6) and "no standing access" (R4) mean all of them: a
    check that read only the exported principals passed a program with a shadow role."""

    roles: dict[str, Grants] = field(default_factory=dict)  # role name -> grants
    trust: dict[str, Document] = field(default_factory=dict)  # role name -> trust policy
    users: dict[str, Grants] = field(default_factory=dict)  # user name -> grants


@pytest.fixture(scope="session")
def other_principals(pipeline: Pipeline, aws: Callable[..., Any], stack: Any) -> OtherPrincipals:
    iam = aws("iam")
    known_roles = {pipeline.role_name(key) for key in pipeline.roles}
    found = OtherPrincipals()
    for resource in stack.resources:
        if resource.type == "aws:iam/role:Role" and resource.id not in known_roles:
            found.roles[resource.id] = documents_of_role(iam, resource.id)
            found.trust[resource.id] = trust_of_role(iam, resource.id)
        elif resource.type == "aws:iam/user:User" and resource.id != pipeline.on_call_user:
            found.users[resource.id] = documents_of_user(iam, resource.id)
    return found
