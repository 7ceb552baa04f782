"""What a run found: one CheckResult per check, grouped by requirement.

Every stage reports into this model; the report module renders it (console,
results.json, JUnit). The JSON schema is documented in docs/results-schema.md.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"  # the check could not run (e.g. deploy failed before it)
    # The emulator cannot show what the check needs (e.g. IAM is not enforced there):
    # neither a pass nor a failure; the run is "incomplete" (exit 3) if nothing failed.
    NOT_EVALUABLE = "not_evaluable"
    SKIPPED = "skipped"  # only for advisory checks that do not apply


class Stage(StrEnum):
    VALIDATE = "validate"
    SYNTH = "synth"
    POLICY = "policy"
    DEPLOY = "deploy"
    BEHAVIOR = "behavior"
    CONVERGE = "converge"
    TEARDOWN = "teardown"


@dataclass
class CheckResult:
    id: str  # e.g. "CKV_AWS_40", "tests/test_ingest.py::test_writes_raw", "converge"
    stage: Stage
    requirement: str | None  # "R3"; None for advisory findings not tied to the spec
    outcome: Outcome
    title: str = ""
    message: str = ""  # why it failed, one or a few lines
    enforced: bool = True  # advisory checks never fail the run
    resource: str | None = None  # logical name or URN the check is about
    source: str | None = None  # "file:line" in the candidate's program, when known
    duration_s: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def blocking(self) -> bool:
        return self.enforced and self.outcome in (Outcome.FAILED, Outcome.ERROR)

    @property
    def unevaluated(self) -> bool:
        """Enforced, and the emulator could not show it: the verdict is incomplete."""
        return self.enforced and self.outcome == Outcome.NOT_EVALUABLE

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
