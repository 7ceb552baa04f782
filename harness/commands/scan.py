"""`kata scan DIR`: checkov for any Pulumi Python program, with no emulator.

The program runs as a kata's program does (the local engine's worker, in the run's
sandbox), previewing only: types the local engine has no adapter for pass through
with their inputs, provider functions answer with plausible values, and what a
preview cannot know (an ARN, another resource's id, a secret) stays unknown. The graph
becomes a Terraform plan (harness.policy.tfplan) that checkov scans with its own checks;
the katas' CKV_KATA_* run only on request (``--kata-checks``, or named in ``--check``).

A verdict that rests on a value unknown at preview is neither a pass nor a failure:
it is reported as unknown, naming the input.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from harness.commands.engine import open_sandbox, program_engine
from harness.commands.program import Program, load_program, require_packages
from harness.engines.state import ResourceState
from harness.errors import ToolError
from harness.policy import cfn, findings
from harness.policy.scan import POLICIES_DIR, TIMEOUT_S
from harness.policy.tfplan import plan_addresses, to_terraform_plan
from harness.policy.tftypes import snake, terraform_type
from harness.policy.toolenv import tool_python
from harness.results import CheckResult, Outcome
from harness.stages.policy import unknown_inputs

KATA_PREFIXES = ("CKV_KATA_", "CKV2_KATA_")


@dataclass
class ScanOptions:
    stack: str | None = None
    checks: list[str] = field(default_factory=list)  # checkov --check, ids as given
    skip_checks: list[str] = field(default_factory=list)  # checkov --skip-check
    kata_checks: bool = False
    sandbox: str = "auto"

    @property
    def with_kata_checks(self) -> bool:
        return self.kata_checks or any(c.startswith(KATA_PREFIXES) for c in self.checks)


@dataclass
class ScanReport:
    program: Program
    resources: list[ResourceState]
    results: list[CheckResult]
    not_mapped: list[str]  # types with no Terraform name: in the graph, not scanned
    sandboxed: bool
    sandbox_reason: str = ""

    @property
    def failed(self) -> list[CheckResult]:
        return [r for r in self.results if r.outcome == Outcome.FAILED]

    @property
    def unknown(self) -> list[CheckResult]:
        return [r for r in self.results if r.outcome == Outcome.NOT_EVALUABLE]

    @property
    def passed(self) -> list[CheckResult]:
        return [r for r in self.results if r.outcome == Outcome.PASSED]

    def to_dict(self) -> dict[str, object]:
        return {
            "program": str(self.program.path),
            "project": self.program.project,
            "stack": self.program.stack,
            "resources": len([r for r in self.resources if r.custom]),
            "not_scanned_types": self.not_mapped,
            "secure_config_unknown": self.program.secure_keys,
            "summary": {
                "passed": len(self.passed),
                "failed": len(self.failed),
                "unknown": len(self.unknown),
            },
            "results": [r.to_dict() for r in self.results],
        }


def scan_program(directory: Path, options: ScanOptions) -> ScanReport:
    """Preview the program in its sandbox, then run checkov on its graph."""
    program = load_program(directory, options.stack)
    require_packages(program)
    scratch = Path(tempfile.mkdtemp(prefix="kata-scan-"))
    try:
        workdir = program.copy_to(scratch / "program")
        sandbox, why = open_sandbox(scratch, [workdir], options.sandbox)
        engine = program_engine(program, workdir, scratch, sandbox=sandbox)
        try:
            plan = engine.preview()
        finally:
            engine.close()
            if sandbox is not None:
                sandbox.stop()
        # The worker saw the scratch copy: name the user's own files in findings.
        resources = plan.resources
        results = run_checkov(resources, scratch / "policy", options)
        not_mapped = sorted(
            {
                r.type
                for r in resources
                if r.custom and not r.type.startswith("pulumi:") and terraform_type(r.type) is None
            }
        )
        return ScanReport(program, resources, results, not_mapped, sandbox is not None, why)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def checkov_command(
    python: Path, templates: list[cfn.Template], report_dir: Path, options: ScanOptions
) -> list[str]:
    frameworks = ["terraform_plan"] + (["cloudformation"] if templates else [])
    cmd = [str(python), "-P", "-m", "checkov.main", "--framework", *frameworks]
    for name in ["plan.json", *(t.path for t in templates)]:
        cmd += ["-f", name]
    if options.with_kata_checks:
        cmd += ["--external-checks-dir", str(POLICIES_DIR)]
    if options.checks:
        cmd += ["--check", ",".join(options.checks)]
    if options.skip_checks:
        cmd += ["--skip-check", ",".join(options.skip_checks)]
    # --soft-fail: exit 0 with failed checks, so a non-zero exit means checkov broke.
    cmd += ["--output", "json", "--output-file-path", str(report_dir)]
    return [*cmd, "--skip-download", "--soft-fail"]


def run_checkov(
    resources: list[ResourceState], workdir: Path, options: ScanOptions
) -> list[CheckResult]:
    from harness.policy.scan import _tool_env  # the environment every checkov run gets

    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "plan.json").write_text(json.dumps(to_terraform_plan(resources), indent=1))
    addresses = plan_addresses(resources)
    templates = cfn.write_templates(resources, workdir)
    python = tool_python("checkov")
    home = workdir / "home"
    home.mkdir()
    report_dir = workdir / "report"
    cmd = checkov_command(python, templates, report_dir, options)
    try:
        proc = subprocess.run(
            cmd,
            cwd=workdir,
            env=_tool_env(home),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        raise ToolError(f"checkov did not finish within {TIMEOUT_S} s") from None
    if proc.returncode != 0:
        last = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise ToolError(f"checkov failed (exit {proc.returncode}): {last[0]}")
    try:
        document = json.loads((report_dir / "results_json.json").read_text())
    except (OSError, ValueError) as exc:
        raise ToolError(f"checkov wrote no readable report: {exc}") from None
    sources = {r.urn: r.source for r in resources if r.source}
    results = findings.checkov_results(document, addresses, templates, {}, sources)
    by_name = {r.name: r for r in addresses.values()}
    results = [mark_unknown(r, by_name.get(r.resource or "")) for r in results]
    results.sort(key=lambda r: (r.outcome != Outcome.FAILED, r.id, r.resource or ""))
    return results


def mark_unknown(result: CheckResult, resource: ResourceState | None) -> CheckResult:
    """A verdict on an input the preview could not know is unknown, not a pass or fail."""
    if resource is None or result.outcome == Outcome.SKIPPED:
        return result
    missing = {snake(k): k for k in unknown_inputs(resource)}
    if not missing:
        return result
    keys = result.details.get("evaluated_keys") or []
    roots = {str(k).split("/")[0].split(".")[0].split("[")[0] for k in keys}
    hit = sorted(missing[a] for a in roots & set(missing))
    if not hit:
        # The check read only known inputs, or checkov did not say what it read: the
        # verdict stands, and the report says which inputs were unknown beside it.
        result.details["unknown_inputs"] = sorted(missing.values())
        return result
    was = result.outcome
    result.outcome = Outcome.NOT_EVALUABLE
    result.message = (
        f"unknown until deploy: {result.title} on {resource.name} ({resource.type}) reads "
        f"{', '.join(hit)}, which the preview cannot know (checkov said {was})"
    )
    return result
