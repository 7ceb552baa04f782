"""User-facing errors: each is one line of cause and what to do, with an exit code.

Exit codes: 0 every enforced check passed, 1 the kata was failed (a check failed),
2 usage or environment error (anything below), 3 incomplete (nothing evaluable failed,
but something enforced was not evaluable on this emulator). Subclasses refine the
message, not the code, so scripts can rely on 0/1/2/3.
"""

from __future__ import annotations

EXIT_PASSED = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3
EXIT_INTERRUPTED = 130


class HarnessError(Exception):
    """An error the user can act on. ``str(err)`` is the whole message."""

    exit_code = EXIT_USAGE
    kind = "error"

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


class UnknownKata(HarnessError):
    kind = "unknown-kata"


class KataFormatError(HarnessError):
    kind = "kata-format"


class ProgramError(HarnessError):
    """The candidate's program failed to run (syntax, import or runtime error)."""

    kind = "program"


class UnsupportedResource(HarnessError):
    kind = "unsupported-resource"


class ResourceRejected(HarnessError):
    """The emulator (or AWS) refused a resource the program declared."""

    kind = "resource-rejected"


class EmulatorError(HarnessError):
    kind = "emulator"


class ToolError(HarnessError):
    """A pinned tool (checkov, cfn-lint) could not be installed or run."""

    kind = "tool"


class StageTimeout(HarnessError):
    kind = "timeout"


class ResourceLimit(HarnessError):
    """The program declared more resources than the harness creates for one run."""

    kind = "resource-limit"


class ProcessLimit(HarnessError):
    """The program started more processes than a run allows (a fork bomb, a pool)."""

    kind = "process-limit"


class OutputLimit(HarnessError):
    """The program printed more than the harness keeps."""

    kind = "output-limit"
