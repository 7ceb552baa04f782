"""Fixtures shared by the tenant-blast-radius checks.

Tenants, tiers and the budget come from the run's stack config (what the program was
given); each tenant's resources come from the ``tenants`` export and are then read from
the emulator, so every verdict rests on what was deployed. A wrong or missing export
fails R8 and, as it must, every check that needs the resource it should have named.

Probes leave nothing behind: objects and messages they create are marked ``kata-check``
and removed at the end, so converge and teardown judge the program, not the checks.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError

from harness.drills.iam import Principal, Principals, is_denied
from harness.engines.base import Op, Plan
from harness.iam import Document, Grants, KeyResolver, documents_of_role, parse_document

MARK = "kata-check"
PROJECT = "tenant-blast-radius"
EXPORT_FIELDS = ("bucket", "keyArn", "queueUrl", "functionName", "roleArn", "apiKeyId")


@dataclass
class Tenant:
    """One tenant as config places it and as the stack exports it."""

    name: str
    tier: str
    cell: str
    exported: dict[str, Any] = field(default_factory=dict)
    queue_arn: str = ""
    key_arn: str = ""  # the deployed key's ARN, however the export named it

    def get(self, item: str) -> str:
        value = self.exported.get(item)
        if not value:
            raise AssertionError(
                f'R8 "exports": tenants.{self.name}.{item} is missing, so this check cannot '
                "find the tenant's resource"
            )
        return str(value)

    @property
    def bucket(self) -> str:
        return self.get("bucket")

    @property
    def bucket_arn(self) -> str:
        return f"arn:aws:s3:::{self.bucket}"

    @property
    def queue_url(self) -> str:
        return self.get("queueUrl")

    @property
    def queue_name(self) -> str:
        return self.queue_url.rstrip("/").rsplit("/", 1)[-1]

    @property
    def role_arn(self) -> str:
        return self.get("roleArn")

    @property
    def role_name(self) -> str:
        return self.role_arn.rsplit("/", 1)[-1]

    @property
    def function(self) -> str:
        return self.get("functionName")


@dataclass
class Platform:
    account: str
    tenants: dict[str, Tenant]
    tiers: dict[str, dict[str, Any]]
    budget: int
    api_id: str
    keys: KeyResolver

    def pairs(self) -> list[tuple[Tenant, Tenant]]:
        """Every ordered pair of distinct tenants."""
        return [(a, b) for a in self.tenants.values() for b in self.tenants.values() if a != b]


@pytest.fixture(scope="session")
def platform(stack: Any, aws: Callable[..., Any], engine: Any) -> Platform:
    config = dict(engine.spec.config)  # what the program was given for this run
    tenants_config = json.loads(config[f"{PROJECT}:tenants"])
    exported = stack.outputs.get("tenants")
    exported = exported if isinstance(exported, dict) else {}
    kms, sqs = aws("kms"), aws("sqs")
    keys = KeyResolver.from_client(kms)
    tenants = {}
    for name, placement in tenants_config.items():
        entry = exported.get(name)
        t = Tenant(
            name, placement["tier"], placement["cell"], entry if isinstance(entry, dict) else {}
        )
        with contextlib.suppress(ClientError, AssertionError):
            t.queue_arn = sqs.get_queue_attributes(
                QueueUrl=t.queue_url, AttributeNames=["QueueArn"]
            )["Attributes"]["QueueArn"]
        with contextlib.suppress(AssertionError):
            t.key_arn = keys.resolve(t.get("keyArn")) or ""
        tenants[name] = t
    account = aws("sts").get_caller_identity()["Account"]
    return Platform(
        account=account,
        tenants=tenants,
        tiers=json.loads(config[f"{PROJECT}:tiers"]),
        budget=int(config[f"{PROJECT}:concurrencyBudget"]),
        api_id=str(stack.outputs.get("apiId") or ""),
        keys=keys,
    )


# --- what was deployed: role policies and key policies, read once before any probe ------


@dataclass
class Deployed:
    grants: dict[str, Grants]  # tenant -> its worker role's policies
    key_policies: dict[str, Document]  # tenant -> its key's policy


@pytest.fixture(scope="session")
def deployed(platform: Platform, aws: Callable[..., Any]) -> Deployed:
    iam, kms = aws("iam"), aws("kms")
    grants, key_policies = {}, {}
    for t in platform.tenants.values():
        with contextlib.suppress(ClientError, AssertionError):
            grants[t.name] = documents_of_role(iam, t.role_name)
        if t.key_arn:
            policy = kms.get_key_policy(KeyId=t.key_arn, PolicyName="default")["Policy"]
            key_policies[t.name] = parse_document(policy)
    return Deployed(grants, key_policies)


# --- acting as the tenants' workers, IAM enforced ---------------------------------------


@pytest.fixture(scope="session")
def principals(emulator: Any, region: str) -> Iterator[Principals]:
    p = Principals(emulator, region)
    try:
        yield p
    finally:
        p.close()


@pytest.fixture(scope="session")
def workers(principals: Principals, platform: Platform, seeded: None) -> dict[str, Principal]:
    """A session of each tenant's worker role (taken before IAM is enforced)."""
    return {
        t.name: principals.role(t.role_arn, session_name=f"{MARK}-{t.name}")
        for t in platform.tenants.values()
    }


def seed_key(tenant: Tenant) -> str:
    return f"{MARK}/{tenant.name}/seed.json"


@pytest.fixture(scope="session")
def seeded(platform: Platform, aws: Callable[..., Any]) -> Iterator[None]:
    """One object in each tenant's bucket; every marked object and message removed after."""
    s3, sqs = aws("s3"), aws("sqs")
    buckets = {t.bucket for t in platform.tenants.values()}
    for t in platform.tenants.values():
        s3.put_object(Bucket=t.bucket, Key=seed_key(t), Body=b'{"seeded-by": "kata-check"}')
    try:
        yield
    finally:
        for bucket in buckets:
            with contextlib.suppress(ClientError):
                listing = s3.list_object_versions(Bucket=bucket, Prefix=f"{MARK}/")
                for item in listing.get("Versions", []) + listing.get("DeleteMarkers", []):
                    s3.delete_object(Bucket=bucket, Key=item["Key"], VersionId=item["VersionId"])
        for url in {t.queue_url for t in platform.tenants.values()}:
            with contextlib.suppress(ClientError):
                sqs.purge_queue(QueueUrl=url)


class Expect:
    """Run a battery of calls and report every one that went the wrong way, at once."""

    @staticmethod
    def allowed(who: str, calls: dict[str, Callable[[], Any]]) -> list[str]:
        wrong = []
        for label, call in calls.items():
            try:
                call()
            except ClientError as exc:
                if not is_denied(exc):
                    raise
                wrong.append(f"{who}: {label} was denied ({_code(exc)}); the SPEC permits it")
        return wrong

    @staticmethod
    def denied(who: str, calls: dict[str, Callable[[], Any]]) -> list[str]:
        wrong = []
        for label, call in calls.items():
            try:
                call()
            except ClientError as exc:
                if not is_denied(exc):
                    wrong.append(
                        f"{who}: {label} got past IAM (then failed with {_code(exc)}); "
                        "the SPEC forbids it"
                    )
            else:
                wrong.append(f"{who}: {label} was allowed; the SPEC forbids it")
        return wrong

    @staticmethod
    def no_findings(findings: list[str]) -> None:
        # Raised directly: pytest's rewritten `assert` would repeat the list.
        if findings:
            raise AssertionError("\n".join(findings))


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code") or exc)


@pytest.fixture(scope="session")
def expect() -> type[Expect]:
    return Expect


# --- previews under changed config (R4, R6) ---------------------------------------------


@dataclass
class Preview:
    """One preview of the program under changed config, against the deployed stack."""

    what: str
    plan: Plan

    def ops(self) -> dict[str, Op]:
        """URN -> operation, for the program's own resources (no providers, no components)."""
        custom = {r.urn for r in self.plan.resources if r.custom}
        return {
            c.urn: c.op
            for c in self.plan.changes
            if not c.type.startswith("pulumi:") and (c.urn in custom or c.op == Op.DELETE)
        }

    def touched(self) -> dict[str, Op]:
        """Existing resources this change would update, replace or delete."""
        return {u: op for u, op in self.ops().items() if op in (Op.UPDATE, Op.REPLACE, Op.DELETE)}


@pytest.fixture(scope="session")
def preview_with(engine: Any, platform: Platform) -> Callable[[str, Callable], Preview]:
    """``preview_with("globex removed", edit)``: ``edit(tenants, config)`` changes a copy."""
    cache: dict[str, Preview] = {}

    def run(what: str, edit: Callable[[dict, dict], None]) -> Preview:
        if what not in cache:
            saved = dict(engine.spec.config)
            tenants = json.loads(saved[f"{PROJECT}:tenants"])
            changed = dict(saved)
            edit(tenants, changed)
            changed[f"{PROJECT}:tenants"] = json.dumps(tenants)
            engine.spec.config.clear()
            engine.spec.config.update(changed)
            try:
                cache[what] = Preview(what, engine.preview())
            finally:
                engine.spec.config.clear()
                engine.spec.config.update(saved)
        return cache[what]

    return run


def _remove_globex(tenants: dict, _config: dict) -> None:
    tenants.pop("globex", None)


@pytest.fixture(scope="session")
def globex_removed(preview_with: Callable[..., Preview]) -> Preview:
    """R6's preview; what it deletes is what the program declares only for globex (R4)."""
    return preview_with("globex removed from config", _remove_globex)


def short(urn: str) -> str:
    """A URN as ``<type> <name>``, for messages."""
    parts = urn.split("::")
    return f"{parts[-2].rsplit('$', 1)[-1]} {parts[-1]}" if len(parts) >= 2 else urn


@pytest.fixture(scope="session")
def short_urn() -> Callable[[str], str]:
    return short
