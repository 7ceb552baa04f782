"""The `pulumi` engine: the real Pulumi CLI, driven through the Automation API.

For users who have the Pulumi CLI (a workstation, a CI runner). It deploys the kata's
program with the pulumi-aws provider pointed at an emulator, keeps the stack in a local
file backend beside the run's state document, and fills the same StackState the local
engine does, so the stages after deploy never know which engine ran.

How each verb maps onto Pulumi:

- preview: ``pulumi preview``; every ResourcePreEvent becomes a Change (see
  ``plan_from_events``). Events carry no dependencies, so Plan.resources have none.
- up: ``pulumi up``, then ``pulumi stack export``; the checkpoint becomes the
  StackState (``state_from_deployment``).
- refresh: export, ``pulumi refresh``, export again, and compare the two states
  (``drift_between``). Chosen over ``preview --refresh`` because the export format is a
  stable, documented schema while refresh-preview event payloads are not. Like
  ``pulumi refresh``, this writes the emulator's values into the stack's state.
- destroy: empty the buckets it will delete (``empty_buckets``, as the local engine's
  purge does), then ``pulumi destroy --exclude-protected`` between two exports
  (``destroy_result``): protected resources stay, the rest go.

What has never run here: anything that needs the Pulumi CLI or the pulumi-aws provider
plugin, which cannot be installed in the project's build environment (they download
from the internet). The tests cover the pure translations and drive the Automation API
against a scripted stand-in for the CLI (tests/fake_pulumi), which proves the calls and
the event/export plumbing, not how the real CLI or provider behave against an emulator.
In particular these are unverified: that the provider accepts the endpoint
configuration below against LocalStack, that ``AWS_ENDPOINT_URL`` reaches explicit
``aws.Provider`` resources, and the real event and checkpoint contents.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import re
import shutil
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pulumi.automation import ConfigValue, EngineEvent, OpType

from harness.emulator import TEST_CREDENTIALS, client_kwargs
from harness.engines.base import Change, DestroyResult, Drift, Engine, Op, Plan, ProgramSpec
from harness.engines.state import ResourceState, StackState
from harness.errors import HarnessError, ProgramError, ResourceRejected, ToolError

CLI_MISSING = "the pulumi engine needs the Pulumi CLI (not found on PATH)"
CLI_HINT = "install it from pulumi.com, or use the default local engine"

# The stack's secrets are emulator values; a fixed passphrase lets every stage (and a
# curious user) reopen the stack without a prompt. It protects nothing and need not.
PASSPHRASE = "iac-katas-harness"
DEFAULT_REGION = "us-east-1"
# Used when a kata does not list its services: correct, but every endpoint costs the
# provider 1.5-4 s at start (pulumi-aws issue 2880), so katas should list theirs.
DEFAULT_SERVICES = (
    "iam", "sts", "s3", "sqs", "sns", "kms", "lambda", "cloudwatch", "route53", "dynamodb",
    "secretsmanager", "ssm", "events", "config", "codedeploy", "cloudformation", "ec2",
)  # fmt: skip

STACK_TYPE = "pulumi:pulumi:Stack"
BUCKET_TYPES = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
PROVIDER_PREFIX = "pulumi:providers:"
# Pulumi's wire sentinels: a value not known until apply, and a secret's envelope.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"

_OPS: dict[str, Op] = {
    OpType.SAME: Op.SAME,
    OpType.CREATE: Op.CREATE,
    OpType.UPDATE: Op.UPDATE,
    OpType.DELETE: Op.DELETE,
    OpType.REPLACE: Op.REPLACE,
    OpType.CREATE_REPLACEMENT: Op.REPLACE,
    OpType.DELETE_REPLACED: Op.REPLACE,
    OpType.IMPORT: Op.CREATE,  # new to the stack, though it already exists in the cloud
    OpType.IMPORT_REPLACEMENT: Op.REPLACE,
    # Reads, refreshes and discards touch only the state, never the cloud.
    OpType.READ: Op.SAME,
    OpType.READ_REPLACEMENT: Op.SAME,
    OpType.REFRESH: Op.SAME,
    OpType.DISCARD: Op.SAME,
    OpType.DISCARD_REPLACED: Op.SAME,
    OpType.REMOVE_PENDING_REPLACE: Op.SAME,
}
# Phrases the CLI uses when it cannot find or fetch a provider plugin.
_PLUGIN_TROUBLE = ("no resource plugin", "could not find", "not found", "download")
# The CLI's closing line, less useful than the diagnostic before it.
_GENERIC_FAILURE = re.compile(r"(update|preview|refresh|destroy) failed", re.IGNORECASE)
_STRENGTH = {Op.SAME: 0, Op.DELETE: 1, Op.CREATE: 2, Op.UPDATE: 3, Op.REPLACE: 4}


class PulumiCliMissing(ToolError):
    kind = "pulumi-cli"


class PulumiPluginMissing(ToolError):
    kind = "pulumi-plugin"


def require_cli() -> str:
    """The Pulumi CLI's path, or a one-line error before any subprocess is started."""
    path = shutil.which("pulumi")
    if not path:
        raise PulumiCliMissing(CLI_MISSING, CLI_HINT)
    return path


def emulator_config(endpoint: str, region: str, services: Sequence[str]) -> dict[str, ConfigValue]:
    """Stack config that points the default aws provider at an emulator, as pulumi-local does.

    Keys are in ``pulumi config set --path`` form (apply with ``path=True``): the
    endpoints become the structured list ``aws:endpoints: [{s3: URL, ...}]`` that
    pulumi-local writes. Only the given services get an endpoint, because each one
    slows the provider's start by seconds (pulumi-aws issue 2880).
    """
    config = {
        "aws:region": ConfigValue(region),
        "aws:accessKey": ConfigValue(TEST_CREDENTIALS["aws_access_key_id"]),
        "aws:secretKey": ConfigValue(TEST_CREDENTIALS["aws_secret_access_key"]),
        # The emulator serves every bucket on one host; virtual-host names would not resolve.
        "aws:s3UsePathStyle": ConfigValue("true"),
        # Both would call STS/IAM before anything else; the emulator needs neither.
        "aws:skipCredentialsValidation": ConfigValue("true"),
        "aws:skipRequestingAccountId": ConfigValue("true"),
    }
    for service in sorted({s.strip().lower() for s in services if s.strip()}):
        config[f"aws:endpoints[0].{service}"] = ConfigValue(endpoint)
    return config


def workspace_env(backend_dir: Path, endpoint: str, region: str) -> dict[str, str]:
    """Environment for every Pulumi CLI call: local state, no prompts, emulator-bound AWS."""
    return {
        "PULUMI_BACKEND_URL": backend_dir.resolve().as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        # The only call home a file-backed CLI makes; Pulumi documents no other telemetry.
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        # Run the program with the harness's interpreter, which has pulumi and pulumi-aws.
        "PULUMI_PYTHON_CMD": sys.executable,
        # Explicit aws.Provider resources do not inherit stack config; the SDK-wide
        # endpoint and credentials keep them on the emulator instead of real AWS.
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": TEST_CREDENTIALS["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": TEST_CREDENTIALS["aws_secret_access_key"],
        "AWS_REGION": region,
    }


def op_from_pulumi(op: OpType | str) -> Op:
    try:
        return _OPS[OpType(op)]
    except (KeyError, ValueError):
        raise HarnessError(f"the Pulumi engine reported an unknown step {op!r}") from None


def plan_from_events(events: Iterable[EngineEvent]) -> Plan:
    """A Plan from the events of one ``pulumi preview``.

    A replacement arrives as several steps for one URN (create-replacement, replace,
    delete-replaced): they merge into one Change, the strongest op winning.
    """
    changes: dict[str, Change] = {}
    raws: dict[str, dict[str, Any]] = {}
    outputs: dict[str, Any] = {}
    for event in events:
        if event.resource_pre_event is not None:
            meta = event.resource_pre_event.metadata
            op = op_from_pulumi(meta.op)
            props = set(meta.diffs or []) | set(meta.keys or [])
            props |= {_top_level(path) for path in (meta.detailed_diff or {})}
            seen = changes.get(meta.urn)
            if seen is None:
                changes[meta.urn] = Change(
                    meta.urn, meta.type, urn_name(meta.urn), op, sorted(props)
                )
            else:
                both = {seen.op, op}
                seen.op = (
                    Op.REPLACE
                    if {Op.CREATE, Op.DELETE} <= both
                    else max(both, key=_STRENGTH.__getitem__)
                )
                seen.properties = sorted(set(seen.properties) | props)
            if meta.new is not None:
                raws[meta.urn] = _raw_from_step(meta.new)
        elif event.res_outputs_event is not None:
            new = event.res_outputs_event.metadata.new
            if new is None:
                continue
            raws[new.urn] = _raw_from_step(new)
            if new.type == STACK_TYPE:
                outputs = _plain(dict(new.outputs or {}))
    # A resource being deleted is not part of the program's graph any more.
    deleted = {urn for urn, c in changes.items() if c.op == Op.DELETE}
    kept = [raw for urn, raw in raws.items() if urn not in deleted]
    return Plan(resources=_resources(kept), changes=list(changes.values()), outputs=outputs)


def state_from_deployment(
    deployment: dict[str, Any], project: str, stack: str, endpoint: str
) -> StackState:
    """The StackState for a checkpoint ``deployment`` (``pulumi stack export``, version 3).

    Left out on purpose: resources pending deletion after a replacement (``delete``) and
    resources the program only reads (``external``), since neither belongs to the
    program, so teardown must not count them. Secrets must have been exported with
    ``--show-secrets``; their plaintext replaces the envelope.
    """
    raws = [
        r
        for r in deployment.get("resources") or []
        if not r.get("delete") and not r.get("external")
    ]
    resources = _resources(raws)
    outputs = next((r.outputs for r in resources if r.type == STACK_TYPE), {})
    return StackState(
        project=project,
        stack=stack,
        resources=resources,
        outputs=dict(outputs),
        engine="pulumi",
        endpoint=endpoint,
    )


def drift_between(
    before: StackState, after: StackState, include_ignored: bool = False
) -> list[Drift]:
    """What a refresh changed, per input key of each managed resource.

    Values come from the outputs (a refresh rewrites them from the cloud, and Pulumi
    outputs repeat the inputs), falling back to the inputs for write-only keys. Keys
    under ``ignore_changes`` are not drift unless ``include_ignored`` (then they carry
    ``ignored=True``), and a deleted resource's ``expected`` is its id, both as the
    local engine reports them.
    """
    now = after.by_urn()
    drifts: list[Drift] = []
    for old in before.managed():
        new = now.get(old.urn)
        if new is None:
            drifts.append(Drift(old.urn, old.type, old.name, "", "deleted", expected=old.id))
            continue
        ignored = {_top_level(path) for path in old.ignore_changes}
        for key in sorted(k for k in old.inputs if not k.startswith("__")):
            if key in ignored and not include_ignored:
                continue
            expected, actual = _observed(old, key), _observed(new, key)
            if expected != actual:
                drifts.append(
                    Drift(
                        old.urn,
                        old.type,
                        old.name,
                        key,
                        "changed",
                        expected,
                        actual,
                        ignored=key in ignored,
                    )
                )
    return drifts


def destroy_result(before: StackState, after: StackState) -> DestroyResult:
    """Sort the managed resources of ``before`` by what ``destroy --exclude-protected`` did.

    ``protected`` lists everything still in the stack afterwards: the protected
    resources and whatever they depend on, which Pulumi keeps for them.
    """
    remaining = {r.urn for r in after.managed()}
    result = DestroyResult()
    for r in before.managed():
        if r.urn in remaining:
            result.protected.append(r.urn)
        elif r.retain_on_delete:
            result.retained.append(r.urn)
        else:
            result.deleted.append(r.urn)
    return result


def empty_buckets(resources: Iterable[ResourceState], endpoint: str, region: str) -> list[str]:
    """Delete every object version and delete marker in the S3 buckets among ``resources``.

    Returns the buckets it emptied. A bucket that is already gone or unreachable, or
    whose objects are under Object Lock retention, is left for ``pulumi destroy`` to
    report.
    """
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    emptied = []
    for res in resources:
        if res.type not in BUCKET_TYPES or not res.id:
            continue
        s3 = boto3.client("s3", **client_kwargs(endpoint, res.region or region))
        try:
            for page in s3.get_paginator("list_object_versions").paginate(Bucket=res.id):
                keys = [
                    {"Key": v["Key"], "VersionId": v["VersionId"]}
                    for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
                ]
                if keys:
                    s3.delete_objects(Bucket=res.id, Delete={"Objects": keys, "Quiet": True})
        except (BotoCoreError, ClientError):
            continue
        emptied.append(res.id)
    return emptied


def urn_name(urn: str) -> str:
    # urn:pulumi:<stack>::<project>::<qualified type>::<name>; the name may hold "::".
    parts = urn.split("::", 3)
    return parts[3] if len(parts) == 4 else urn


def urn_type(urn: str) -> str:
    # The qualified type is "<parent type>$...$<type>"; the resource's own type is last.
    parts = urn.split("::", 3)
    return parts[2].rsplit("$", 1)[-1] if len(parts) == 4 else ""


def provider_urn(reference: str) -> str:
    """The URN half of a provider reference ``<urn>::<id>``."""
    return reference.rsplit("::", 1)[0] if reference else ""


def is_default_provider(urn: str) -> bool:
    # Pulumi names the providers it creates itself "default" or "default_<version>".
    name = urn_name(urn)
    return name == "default" or name.startswith("default_")


def _resources(raws: list[dict[str, Any]]) -> list[ResourceState]:
    providers = {r["urn"]: r for r in raws if r.get("type", "").startswith(PROVIDER_PREFIX)}
    return [_resource(r, providers) for r in raws]


def _resource(raw: dict[str, Any], providers: dict[str, dict[str, Any]]) -> ResourceState:
    urn, type_ = raw["urn"], raw.get("type", "")
    inputs, outputs = _plain(raw.get("inputs") or {}), _plain(raw.get("outputs") or {})
    if type_.startswith(PROVIDER_PREFIX):
        provider, region = "", str(inputs.get("region") or outputs.get("region") or "")
    else:
        ref = provider_urn(raw.get("provider", ""))
        provider = "" if not ref or is_default_provider(ref) else ref
        region = _region_of(providers.get(ref))
    return ResourceState(
        urn=urn,
        type=type_,
        name=urn_name(urn),
        id=str(raw.get("id") or ""),
        inputs=inputs,
        outputs=outputs,
        region=region,
        provider=provider,
        parent=raw.get("parent") or "",
        dependencies=list(raw.get("dependencies") or []),
        property_dependencies={
            k: list(v) for k, v in (raw.get("propertyDependencies") or {}).items()
        },
        protect=bool(raw.get("protect")),
        retain_on_delete=bool(raw.get("retainOnDelete")),
        ignore_changes=list(raw.get("ignoreChanges") or []),
        custom=bool(raw.get("custom")),
        source=_source(raw.get("sourcePosition") or ""),
    )


def _region_of(provider: dict[str, Any] | None) -> str:
    if provider is None:
        return ""
    for key in ("inputs", "outputs"):
        region = _plain((provider.get(key) or {}).get("region"))
        if region:
            return str(region)
    return ""


def _source(position: str) -> str:
    # "project:///__main__.py#12,5" -> "__main__.py:12"
    if not position:
        return ""
    path, _, line_col = position.partition("#")
    path = path.removeprefix("project://").removeprefix("file://").lstrip("/")
    line = line_col.split(",", 1)[0]
    return f"{path}:{line}" if line else path


def _plain(value: Any) -> Any:
    """Unwrap secrets (``--show-secrets`` plaintext) and turn unknowns into None."""
    if isinstance(value, dict):
        if value.get(SIG_KEY) == SECRET_SIG:
            if "plaintext" in value:
                return _plain(json.loads(value["plaintext"]))
            return "[secret]"  # exported without --show-secrets: the value is not here
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return None if value == UNKNOWN else value


def _observed(resource: ResourceState, key: str) -> Any:
    return resource.outputs[key] if key in resource.outputs else resource.inputs.get(key)


def _top_level(path: str) -> str:
    # Detailed-diff paths look like "tags.env", "rules[0].id" or '["odd.key"]'.
    if path.startswith('["'):
        return path[2:].split('"]', 1)[0]
    for i, ch in enumerate(path):
        if ch in ".[":
            return path[:i]
    return path


def _raw_from_step(step: Any) -> dict[str, Any]:
    """A StepEventStateMetadata in the shape of a checkpoint resource."""
    return {
        "urn": step.urn,
        "type": step.type,
        "id": step.id,
        "parent": step.parent,
        "provider": step.provider,
        "custom": bool(step.custom),
        "protect": bool(step.protect),
        "retainOnDelete": bool(step.retain_on_delete),
        "inputs": dict(step.inputs or {}),
        "outputs": dict(step.outputs or {}),
    }


# -- the engine -----------------------------------------------------------------------

T = TypeVar("T")


class PulumiEngine(Engine):
    """Deploys with the Pulumi CLI; see the module docstring for what each verb does.

    ``services`` are the kata's AWS services (kata.yaml ``services``): only they get an
    endpoint in the provider's config. Without them every service the harness knows
    does, which is correct but slow.

    The run keeps its Pulumi files in ``<state dir>/.pulumi-<stack>/``: ``backend/``
    (the file backend) and ``project/``, a copy of the kata's program. The copy keeps
    the candidate's directory free of ``Pulumi.<stack>.yaml``, which carries the
    emulator config and the stack's encryption salt.

    ``spec.timeout_s`` is not enforced here: the Automation API gives no handle to stop
    a running CLI, and abandoning one would leave the stack locked.
    """

    name = "pulumi"

    def __init__(self, spec: ProgramSpec, services: Sequence[str] | None = None) -> None:
        super().__init__(spec)
        self.cli = require_cli()
        self.services = list(services) if services else list(DEFAULT_SERVICES)
        self.region = spec.config.get("aws:region", DEFAULT_REGION)
        self.home = spec.state_file.parent / f".pulumi-{spec.stack}"
        self._stack: Any = None
        self._errors: list[tuple[str, str]] = []  # (urn, message) from diagnostic events

    def preview(self) -> Plan:
        events: list[EngineEvent] = []

        def collect(event: EngineEvent) -> None:
            events.append(event)
            self._on_event(event)

        stack = self._open()
        self._run(lambda: stack.preview(on_event=collect, color="never", suppress_progress=True))
        return plan_from_events(events)

    def up(self, refresh: bool = False) -> StackState:
        stack = self._open()
        self._run(
            lambda: stack.up(
                on_event=self._on_event, color="never", suppress_progress=True, refresh=refresh
            )
        )
        return self._save(self._export())

    def refresh(self, include_ignored: bool = False) -> list[Drift]:
        stack = self._open()
        before = self._export()
        self._run(
            lambda: stack.refresh(on_event=self._on_event, color="never", suppress_progress=True)
        )
        after = self._save(self._export())
        return drift_between(before, after, include_ignored)

    def destroy(self, purge: bool = True) -> DestroyResult:
        """``purge`` first empties the stack's buckets, as the local engine's teardown does:
        the behavior checks may have written objects, and S3 refuses to delete a bucket
        that holds any (unless the program set ``forceDestroy``).
        """
        stack = self._open()
        before = self._export()
        if not before.managed():
            return DestroyResult()
        if purge:  # only what destroy will delete: protected and retained buckets keep theirs
            doomed = [r for r in before.managed() if not r.protect and not r.retain_on_delete]
            empty_buckets(doomed, self.spec.endpoint, self.region)
        self._run(
            lambda: stack.destroy(
                on_event=self._on_event,
                color="never",
                suppress_progress=True,
                exclude_protected=True,
            )
        )
        after = self._save(self._export())
        return destroy_result(before, after)

    # -- plumbing ---------------------------------------------------------------------

    def _open(self) -> Any:
        if self._stack is not None:
            return self._stack
        from pulumi import automation as auto

        backend, project = self.home / "backend", self.home / "project"
        backend.mkdir(parents=True, exist_ok=True)
        _sync_project(self.spec.workdir, project, keep=f"Pulumi.{self.spec.stack}.yaml")
        opts = auto.LocalWorkspaceOptions(
            env_vars=workspace_env(backend, self.spec.endpoint, self.region),
            secrets_provider="passphrase",
        )
        try:
            stack = self._run(
                lambda: auto.create_or_select_stack(
                    stack_name=self.spec.stack, work_dir=str(project), opts=opts
                )
            )
        except auto.InvalidVersionError as exc:
            raise ToolError(f"the installed Pulumi CLI is too old: {exc}", CLI_HINT) from None
        emulator = emulator_config(self.spec.endpoint, self.region, self.services)
        ours = {key.split("[", 1)[0] for key in emulator}
        program = {k: ConfigValue(v) for k, v in self.spec.config.items() if k not in ours}
        if program:
            self._run(lambda: stack.set_all_config(program))
        # Drop endpoints a previous run configured, then set this run's by path.
        with contextlib.suppress(auto.CommandError):
            stack.remove_config("aws:endpoints")
        self._run(lambda: stack.set_all_config(emulator, path=True))
        self._stack = stack
        return stack

    def _export(self) -> StackState:
        deployment = self._run(lambda: self._open().export_stack()).deployment or {}
        return state_from_deployment(
            dict(deployment), self.spec.project, self.spec.stack, self.spec.endpoint
        )

    def _save(self, state: StackState) -> StackState:
        self.spec.state_file.parent.mkdir(parents=True, exist_ok=True)
        state.write(self.spec.state_file)
        return state

    def _on_event(self, event: EngineEvent) -> None:
        diag = event.diagnostic_event
        if diag is not None and diag.severity == "error":
            self._errors.append((diag.urn or "", diag.message))

    def _run(self, call: Callable[[], T]) -> T:
        from pulumi.automation import CommandError

        self._errors.clear()
        try:
            return call()
        except CommandError as exc:
            raise self._translate(str(exc)) from None

    def _translate(self, text: str) -> HarnessError:
        """One actionable line for a failed CLI call, attributed to a resource if we can."""
        blob = "\n".join([text, *(m for _, m in self._errors)]).lower()
        if "plugin" in blob and "aws" in blob and any(s in blob for s in _PLUGIN_TROUBLE):
            version = importlib.metadata.version("pulumi-aws")
            return PulumiPluginMissing(
                f"the pulumi-aws provider plugin {version} is not installed",
                f"run `pulumi plugin install resource aws {version}` once with internet access",
            )
        for urn, message in self._errors:
            if urn_type(urn) not in ("", STACK_TYPE):
                return ResourceRejected(
                    f"{urn_name(urn)} ({urn_type(urn)}): {_first_line(message)}"
                )
        message = next((m for _, m in self._errors), "") or _error_line(text)
        return ProgramError(f"pulumi failed: {_first_line(message)}")


def _sync_project(src: Path, dst: Path, keep: str) -> None:
    """Make ``dst`` a fresh copy of the program, keeping the stack's own settings file."""
    dst.mkdir(parents=True, exist_ok=True)
    for entry in dst.iterdir():
        if entry.name == keep:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    skip = shutil.ignore_patterns(
        "__pycache__", ".venv", "venv", "Pulumi.*.yaml", ".pulumi-*", ".kata-runs"
    )
    shutil.copytree(src, dst, dirs_exist_ok=True, ignore=skip)


def _first_line(message: str) -> str:
    lines = [ln.strip() for ln in message.strip().splitlines() if ln.strip()]
    return lines[0] if lines else "no message"


def _error_line(text: str) -> str:
    """The most specific "error: ..." line of a failed command's output."""
    found = [m.group(1).strip() for m in re.finditer(r"error: (.+)", text)]
    specific = [f for f in found if not _GENERIC_FAILURE.fullmatch(f)]
    if specific or found:
        return (specific or found)[0]
    _, _, stderr = text.partition(" stderr: ")
    return stderr.strip() or text.strip()
