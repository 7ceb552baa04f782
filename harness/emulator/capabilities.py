"""What an emulator can show, probed rather than assumed (embedded or ``--endpoint``).

Services: LocalStack lists the ones it offers at ``/_localstack/health``; moto serves
every service it implements (``/moto-api/`` answers). A kata needing a service the
emulator lacks stops before deploy with one line naming it (exit 2), instead of failing
its checks for a reason that is not the program's.

IAM enforcement is proven per check by ``harness.drills.iam.Principals.enforced()``
(a call that must be denied is denied); a check where it does not hold ends as
*not evaluable on <emulator>*.
"""

from __future__ import annotations

import contextlib
import urllib.error
import urllib.request

from harness.emulator import Emulator
from harness.emulator.localstack import health
from harness.errors import EmulatorError

# States of a service in LocalStack's health report that mean it will answer.
_OFFERED = {"available", "running", "starting", "initialized"}


def name_of(emulator: Emulator) -> str:
    """The emulator's name as verdicts say it: moto, localstack, or the endpoint."""
    if emulator.kind in ("moto", "localstack"):
        return emulator.kind
    if health(emulator.endpoint) is not None:
        return "localstack"
    return "moto" if _is_moto(emulator.endpoint) else f"the emulator at {emulator.endpoint}"


def _is_moto(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=3):
            return True
    except (urllib.error.URLError, OSError):
        return False


def services_offered(emulator: Emulator) -> set[str] | None:
    """The services the emulator offers; None when it offers all it knows (moto) or
    does not say (then deploy tells)."""
    report = health(emulator.endpoint)
    if report is None:
        return None
    return {name for name, state in report["services"].items() if state in _OFFERED}


def missing_services(emulator: Emulator, needed: list[str]) -> list[str]:
    offered = services_offered(emulator)
    if offered is None:
        return []
    return [s for s in needed if s not in offered]


def require_services(emulator: Emulator, needed: list[str], slug: str) -> None:
    """Stop before deploy when the emulator lacks a service the kata uses (exit 2)."""
    missing = missing_services(emulator, needed)
    if missing:
        raise EmulatorError(
            f"{slug} needs {', '.join(missing)}, which {name_of(emulator)} at "
            f"{emulator.endpoint} does not offer",
            "run it on moto (the default emulator), or on an emulator that offers them",
        )


# Behaviors a check needs that an emulator may silently drop, each proven by a probe
# that writes a throwaway resource and reads it back. Found missing on LocalStack
# 2026.3.0: a Route 53 health check loses its AlarmIdentifier, and a secret's replica
# loses its KMS key (GetSecretValue in the replica region then fails with an internal
# error). A check that needs one ends as not evaluable there instead of failing the
# program for the emulator's gap.
WHY = {
    "route53-alarm-health-check": "a CLOUDWATCH_METRIC health check's alarm is not kept",
    "secret-replica-kms-key": "a secret replica's KMS key is not kept, nor its value readable",
}
_PROVEN: dict[tuple[str, str], bool] = {}


def _clients(endpoint: str, service: str, region: str):  # type: ignore[no-untyped-def]
    import boto3

    from harness.emulator import client_kwargs, harness_headers

    client = boto3.client(service, **client_kwargs(endpoint, region))
    headers = harness_headers(endpoint)  # moto's write guard lets the harness's own through
    if headers:
        client.meta.events.register(
            "before-sign.*.*", lambda request, **_: request.headers.update(headers)
        )
    return client


def _route53_keeps_alarm(endpoint: str) -> bool:
    import uuid

    r53 = _clients(endpoint, "route53", "us-east-1")
    alarm = {"Region": "us-east-1", "Name": f"kata-probe-{uuid.uuid4().hex[:8]}"}
    check = r53.create_health_check(
        CallerReference=str(uuid.uuid4()),
        HealthCheckConfig={"Type": "CLOUDWATCH_METRIC", "AlarmIdentifier": alarm,
                           "InsufficientDataHealthStatus": "Unhealthy"},
    )["HealthCheck"]  # fmt: skip
    try:
        got = r53.get_health_check(HealthCheckId=check["Id"])["HealthCheck"]
        return got["HealthCheckConfig"].get("AlarmIdentifier") == alarm
    finally:
        r53.delete_health_check(HealthCheckId=check["Id"])


def _secret_replica_keeps_key(endpoint: str) -> bool:
    import uuid

    from botocore.exceptions import ClientError

    key = _clients(endpoint, "kms", "us-west-2").create_key()["KeyMetadata"]
    name = f"kata-probe-{uuid.uuid4().hex[:8]}"
    sm = _clients(endpoint, "secretsmanager", "us-east-1")
    sm.create_secret(
        Name=name, SecretString="probe",
        AddReplicaRegions=[{"Region": "us-west-2", "KmsKeyId": key["Arn"]}],
    )  # fmt: skip
    try:
        status = sm.describe_secret(SecretId=name).get("ReplicationStatus", [])
        kept = any(r.get("KmsKeyId") in (key["Arn"], key["KeyId"]) for r in status)
        try:
            read = _clients(endpoint, "secretsmanager", "us-west-2").get_secret_value(SecretId=name)
        except ClientError:
            return False
        return kept and read.get("SecretString") == "probe"
    finally:
        with contextlib.suppress(Exception):
            sm.remove_regions_from_replication(SecretId=name, RemoveReplicaRegions=["us-west-2"])
        with contextlib.suppress(Exception):
            sm.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
        with contextlib.suppress(Exception):
            _clients(endpoint, "kms", "us-west-2").schedule_key_deletion(
                KeyId=key["KeyId"], PendingWindowInDays=7
            )


_PROBES = {
    "route53-alarm-health-check": _route53_keeps_alarm,
    "secret-replica-kms-key": _secret_replica_keeps_key,
}


def has(emulator: Emulator, capability: str) -> bool:
    """Does the emulator show ``capability``? Probed once per endpoint."""
    if emulator.kind == "moto":
        # The embedded moto keeps both (the katas' reference solutions pass there); a
        # probe's writes would land in the run's leak check, so it is not repeated.
        return True
    key = (emulator.endpoint, capability)
    if key not in _PROVEN:
        _PROVEN[key] = bool(_PROBES[capability](emulator.endpoint))
    return _PROVEN[key]


def require(emulator: Emulator, capability: str) -> None:
    """In a check: end it as not evaluable where the emulator lacks ``capability``."""
    if not has(emulator, capability):
        from harness.pytest_plugin import not_evaluable

        not_evaluable(f"{name_of(emulator)} at {emulator.endpoint}", WHY[capability])
