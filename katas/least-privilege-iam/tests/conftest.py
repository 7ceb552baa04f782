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

One set of principals serves the whole run (a role session costs an AssumeRole, and
every emulator call about 10 ms). Policy documents are read once, before any probe,
into ``deployed``: the structural checks judge exactly what the program deployed.
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import unquote

import pytest
from botocore.exceptions import ClientError

from harness.drills.iam import Principal, Principals, is_denied

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


# --- what was deployed, read once before any probe ------------------------------------


def _doc(value: Any) -> dict[str, Any]:
    # boto3 hands IAM documents back decoded; some emulators send URL-encoded JSON.
    return json.loads(unquote(value)) if isinstance(value, str) else value


@dataclass
class Deployed:
    """Every role's trust policy, boundary and identity policies, and the on-call user's."""

    trust: dict[str, dict] = field(default_factory=dict)  # role key -> trust policy
    boundary: dict[str, str | None] = field(default_factory=dict)  # role key -> boundary ARN
    # role key, "on-call" or "boundary:<role key>" -> [(label, document)]
    policies: dict[str, list[tuple[str, dict]]] = field(default_factory=dict)
    on_call_user_arn: str = ""

    def documents(self, who: str) -> list[tuple[str, dict]]:
        return self.policies.get(who, [])


@pytest.fixture(scope="session")
def deployed(pipeline: Pipeline, aws: Callable[..., Any]) -> Deployed:
    iam = aws("iam")
    d = Deployed()
    managed: dict[str, dict] = {}

    def managed_doc(arn: str) -> dict:
        if arn not in managed:
            version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
            managed[arn] = _doc(
                iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"][
                    "Document"
                ]
            )
        return managed[arn]

    for key in pipeline.roles:
        name = pipeline.role_name(key)
        role = iam.get_role(RoleName=name)["Role"]
        d.trust[key] = _doc(role["AssumeRolePolicyDocument"])
        boundary = role.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
        d.boundary[key] = boundary
        with contextlib.suppress(ClientError):  # a boundary naming no policy is R6's finding
            d.policies[f"boundary:{key}"] = (
                [(f"boundary {boundary} of {name}", managed_doc(boundary))] if boundary else []
            )
        d.policies[key] = [
            (
                f"role {name} inline {n}",
                _doc(iam.get_role_policy(RoleName=name, PolicyName=n)["PolicyDocument"]),
            )
            for n in iam.list_role_policies(RoleName=name)["PolicyNames"]
        ] + [
            (f"role {name} managed {p['PolicyArn']}", managed_doc(p["PolicyArn"]))
            for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
        ]
    user = pipeline.on_call_user
    d.on_call_user_arn = iam.get_user(UserName=user)["User"]["Arn"]
    d.policies["on-call"] = [
        (
            f"user {user} inline {n}",
            _doc(iam.get_user_policy(UserName=user, PolicyName=n)["PolicyDocument"]),
        )
        for n in iam.list_user_policies(UserName=user)["PolicyNames"]
    ] + [
        (f"user {user} managed {p['PolicyArn']}", managed_doc(p["PolicyArn"]))
        for p in iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]
    ]
    return d


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


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def allow_statements(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in as_list(doc.get("Statement")) if s.get("Effect") == "Allow"]


def action_covered(statement: dict[str, Any], action: str) -> bool:
    """Does an Allow statement grant ``action``? (IAM matches actions case-insensitively.)"""
    action = action.lower()
    if "NotAction" in statement:
        excluded = as_list(statement["NotAction"])
        return not any(fnmatch.fnmatchcase(action, a.lower()) for a in excluded)
    return any(fnmatch.fnmatchcase(action, a.lower()) for a in as_list(statement.get("Action")))


def resource_covered(statement: dict[str, Any], arn: str) -> bool:
    if "NotResource" in statement:
        return not any(fnmatch.fnmatchcase(arn, r) for r in as_list(statement["NotResource"]))
    return any(fnmatch.fnmatchcase(arn, r) for r in as_list(statement.get("Resource")))


@pytest.fixture(scope="session")
def policy_tools() -> Any:
    """Helpers for reading policy statements, shared by the structural checks."""

    class Tools:
        pass

    for helper in (
        allow_statements,
        action_covered,
        resource_covered,
        as_list,
        probe_bucket_policy,
    ):
        setattr(Tools, helper.__name__, staticmethod(helper))
    return Tools
