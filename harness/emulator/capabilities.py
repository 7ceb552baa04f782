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
