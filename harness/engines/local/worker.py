"""The sandboxed process that runs a candidate's program under the Pulumi SDK.

Started by LocalEngine as ``python -m harness.engines.local.worker REQUEST.json``
with a scrubbed environment (or forked from the warm zygote). The program runs exactly
as under ``pulumi up`` (same SDK, same ``run_in_stack``), but the resource monitor is
ours: every RegisterResource is forwarded over the run's channel (channel.py) to the
harness, whose Applier creates the resource in the emulator, records it in the state
and answers with its real id and outputs. Nothing this process says can change what the
harness recorded; it only reports how the program ended.
"""

from __future__ import annotations

import asyncio
import errno
import json
import os
import runpy
import sys
import threading
import traceback
from pathlib import Path
from typing import Any

from harness.engines.local.applier import (
    PROVIDER_PREFIX,
    ClientPool,
    Registration,
    provider_urn,
)
from harness.engines.local.channel import WorkerEnd
from harness.engines.local.invokes import Invokes
from harness.errors import HarnessError, UnsupportedResource

# Set by the engine for a scan (`kata scan`): no emulator, types without an adapter pass
# through with their inputs (harness.engines.local.pass_through).
SCAN_ENV = "KATA_SCAN"


def _install_source_tracking(workdir: Path) -> dict[tuple[str, str], str]:
    """Remember the program line that declared each resource (for messages and SARIF)."""
    import pulumi

    sources: dict[tuple[str, str], str] = {}
    original = pulumi.Resource.__init__
    root = str(workdir.resolve())

    def tracked(self: Any, t: str, name: str, *args: Any, **kwargs: Any) -> None:
        for frame in reversed(traceback.extract_stack(limit=40)[:-1]):
            if frame.filename.startswith(root):
                rel = Path(frame.filename).resolve().relative_to(root)
                sources[(t, name)] = f"{rel}:{frame.lineno}"
                break
        original(self, t, name, *args, **kwargs)

    pulumi.Resource.__init__ = tracked  # type: ignore[method-assign]
    return sources


class Rejected(HarnessError):
    """The harness refused or failed a registration; its words, carried through the SDK."""

    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(str(error.get("message", "")), str(error.get("hint", "")))
        self.kind = str(error.get("kind") or "resource-rejected")


class Registrar:
    """Forwards registrations to the harness; remembers provider regions for invokes."""

    def __init__(self, channel: WorkerEnd, default_region: str) -> None:
        self.channel = channel
        self.default_region = default_region
        self.provider_regions: dict[str, str] = {}

    def register(self, reg: Registration, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        if reg.type.startswith(PROVIDER_PREFIX):
            self.provider_regions[reg.urn] = inputs.get("region") or self.default_region
        answer = self.channel.ask("register", reg=reg.__dict__, inputs=inputs)
        if answer.get("stop"):  # the harness ended the run (the resource limit)
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)
        if answer.get("error"):
            raise Rejected(answer["error"])
        id_, outputs = answer["ok"]
        return id_, outputs

    def region_of(self, provider_ref: str) -> str:
        return self.provider_regions.get(provider_urn(provider_ref)) or self.default_region


def build_monitor(registrar: Registrar, invokes: Invokes, sources: dict) -> Any:
    from google.protobuf import empty_pb2
    from pulumi.runtime import mocks, rpc
    from pulumi.runtime.proto import resource_pb2
    from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

    class Calls(mocks.Mocks):
        def call(self, args: mocks.MockCallArgs) -> dict:
            return invokes.call(args.token, args.args, args.provider)

        def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str, dict]:
            # Only ReadResource gets here (RegisterResource is ApplyingMonitor's).
            return read_resource(args)

    class ApplyingMonitor(mocks.MockMonitor):
        """The SDK's mock monitor, but resources are really created in the emulator."""

        stack_urn = ""
        # URN -> the transforms its children inherit (its own, then its ancestors').
        inherited: dict[str, list[Any]] = {}

        def RegisterResource(self, request: Any) -> Any:
            urn = self.make_urn(request.parent, request.type, request.name)
            if request.type == "pulumi:pulumi:Stack":
                ApplyingMonitor.stack_urn = urn
                return resource_pb2.RegisterResourceResponse(urn=urn)
            _ensure_event_loop()
            inputs, _ = rpc.deserialize_properties_unwrap_secrets(
                request.object, keep_unknowns=True
            )
            # The engine runs `transforms` (ResourceOptions.transforms, inherited by
            # children, then stack transforms) before it registers a resource; the SDK's
            # mock monitor does not, which made a correct program that tags through them
            # fail. The callbacks live in this process: run them here, as the engine would.
            chain = mocks._resolve_callbacks(request.transforms)
            chain += ApplyingMonitor.inherited.get(request.parent, [])
            ApplyingMonitor.inherited[urn] = chain
            options = None
            if chain or self._stack_transforms:
                # The deserialized values, assets included, as the engine hands them over
                # (_plain below turns the result into what the harness applies).
                inputs, options = run_transforms(
                    [*chain, *self._stack_transforms], request, dict(inputs), _sync_await
                )
            reg = Registration(
                urn=urn,
                type=request.type,
                name=request.name,
                parent=request.parent,
                provider=request.provider,
                dependencies=list(request.dependencies),
                property_dependencies={
                    k: list(v.urns) for k, v in request.propertyDependencies.items()
                },
                protect=bool(request.protect),
                retain_on_delete=bool(request.retainOnDelete),
                ignore_changes=list(request.ignoreChanges),
                custom=bool(request.custom),
                source=sources.get((request.type, request.name), ""),
            )
            if options is not None:
                with_transformed_options(reg, options)
            id_, outputs = registrar.register(reg, _plain(inputs))
            obj = _sync_await(rpc.serialize_properties(_documents_as_strings(outputs), {}))
            self.resources[urn] = mocks.MockMonitor.ResourceRegistration(urn, id_, outputs)
            return resource_pb2.RegisterResourceResponse(urn=urn, id=id_, object=obj)

        # pulumi-aws's provider does not take resource references, so the Pulumi engine
        # sends it the referenced resource's id (a component's URN) instead; the SDK does
        # that itself when the monitor says it has no resource references. Without this,
        # `RolePolicyAttachment(role=some_role)` reached the adapter as a rehydrated Role.
        def SupportsFeature(self, request: Any) -> Any:
            if request.id == "resourceReferences":
                return type("SupportsFeatureResponse", (), {"hasSupport": False})
            return super().SupportsFeature(request)

        def GetDeploymentInfo(self, request: Any) -> Any:
            info = super().GetDeploymentInfo(request)
            features = [
                f
                for f in info.supportedFeatures
                if f != resource_pb2.RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES
            ]
            return resource_pb2.DeploymentInfo(supportedFeatures=features)

        def RegisterResourceOutputs(self, request: Any) -> Any:
            if request.urn == ApplyingMonitor.stack_urn:
                _ensure_event_loop()
                outs, _ = rpc.deserialize_properties_unwrap_secrets(
                    request.outputs, keep_unknowns=True
                )
                registrar.channel.ask("outputs", outputs=_plain(outs))
            return empty_pb2.Empty()

    return ApplyingMonitor(Calls())


def run_transforms(
    transforms: list[Any], request: Any, props: dict[str, Any], sync_await: Any
) -> tuple[dict[str, Any], Any]:
    """Each transform in order gets the props and options the previous one returned
    (``ResourceTransformArgs``); None leaves them as they were. Async ones are awaited."""
    import inspect

    import pulumi
    from pulumi.resource import ResourceTransformArgs

    opts = pulumi.ResourceOptions(
        protect=bool(request.protect),
        retain_on_delete=bool(request.retainOnDelete),
        ignore_changes=list(request.ignoreChanges) or None,
    )
    for transform in transforms:
        args = ResourceTransformArgs(
            bool(request.custom), request.type, request.name, dict(props), opts
        )
        result = transform(args)
        if inspect.isawaitable(result):
            result = sync_await(result)
        if result is not None:
            props = dict(result.props) if result.props is not None else props
            opts = result.opts if result.opts is not None else opts
    return props, opts


def with_transformed_options(reg: Registration, opts: Any) -> None:
    """The options a transform may change that the local engine honours."""
    if opts.protect is not None:
        reg.protect = bool(opts.protect)
    if opts.retain_on_delete is not None:
        reg.retain_on_delete = bool(opts.retain_on_delete)
    if opts.ignore_changes is not None:
        reg.ignore_changes = list(opts.ignore_changes)


def read_resource(args: Any) -> tuple[str, dict]:
    """A resource the program reads rather than declares: StackReference, or ``.get()``."""
    import pulumi

    from harness.engines.local import stack_reference

    if args.typ == stack_reference.TYPE:
        name = args.resource_id or args.inputs.get("name", "")
        state = stack_reference.read(name, pulumi.get_project(), pulumi.runtime.is_dry_run())
        return name, state
    raise UnsupportedResource(
        f"{args.name}: reading an existing {args.typ} (id {args.resource_id!r}) with .get() "
        "is not supported by the local engine",
        "declare the resource in the program, or run with --engine pulumi",
    )


# Inputs pulumi-aws types "str or PolicyDocument": a program may pass a dict, but the
# provider always returns the JSON string, and the SDK refuses a dict output there.
_JSON_DOCUMENTS = frozenset({"policy", "assumeRolePolicy", "accessPolicies", "policyDocument"})


def _documents_as_strings(outputs: dict[str, Any]) -> dict[str, Any]:
    return {
        k: json.dumps(v) if k in _JSON_DOCUMENTS and isinstance(v, dict | list) else v
        for k, v in outputs.items()
    }


def _plain(value: Any) -> Any:
    """Deserialized properties may hold SDK objects (assets, resource refs); keep JSON."""
    from pulumi.output import Unknown
    from pulumi.runtime import rpc

    if isinstance(value, Unknown):
        return rpc.UNKNOWN
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    path = getattr(value, "path", None)
    if path is not None:  # FileAsset / FileArchive
        return {"__asset_path": str(path)}
    text = getattr(value, "text", None)
    if text is not None:
        return {"__asset_text": text}
    assets = getattr(value, "assets", None)
    if assets is not None:
        return {"__archive": {k: _plain(v) for k, v in assets.items()}}
    return str(value)


def program_error(exc: BaseException, workdir: Path) -> dict[str, Any]:
    """file:line and message of the candidate's code, never a harness traceback."""
    root = str(workdir.resolve())
    if isinstance(exc, SyntaxError):
        where = f"{Path(exc.filename or '?').name}:{exc.lineno}"
        return {"kind": "program", "message": f"{where}: SyntaxError: {exc.msg}", "where": where}
    limit = _limit_hit(exc)
    if limit:
        return {"kind": "resource-limit", "message": limit, "hint": _LIMIT_HINT}
    where = ""
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.startswith(root):
            where = f"{Path(frame.filename).resolve().relative_to(root)}:{frame.lineno}"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    prefix = f"{where}: " if where else ""
    return {
        "kind": "program",
        "message": f"{prefix}{type(exc).__name__}: {text}".rstrip(": "),
        "where": where,
    }


_LIMIT_HINT = "a Pulumi program needs a few threads and little memory: look for a loop"


def _limit_hit(exc: BaseException) -> str:
    """The one-line message when the program ran into a limit of its run."""
    from harness.sandbox import limits

    if isinstance(exc, MemoryError):
        return (
            f"the program used more than {limits.MAX_MEMORY // 2**20} MB of memory and was "
            "stopped (RLIMIT_DATA)"
        )
    threads = isinstance(exc, RuntimeError) and "can't start new thread" in str(exc)
    forks = getattr(exc, "errno", None) == errno.EAGAIN and any(
        "fork" in frame.name or frame.name == "_execute_child"
        for frame in traceback.extract_tb(exc.__traceback__)
    )
    if threads or forks:
        return (
            f"the program started more than {limits.MAX_TASKS} threads and processes and "
            "was stopped (RLIMIT_NPROC)"
        )
    return ""


def run(request: dict[str, Any], channel: WorkerEnd) -> dict[str, Any] | None:
    """Run the program; how it ended (None: it finished), for the harness."""
    workdir = Path(request["workdir"])
    region = request["config"].get("aws:region", "us-east-1")
    registrar = Registrar(channel, region)
    # Lookups (get_ami …) ask the emulator (reads only); in a synth before it started, or
    # a scan without one, they answer with plausible values.
    scan = os.environ.get(SCAN_ENV) == "1"
    online = not scan and bool(request.get("online"))
    client = ClientPool(request["endpoint"]).get if online else None
    invokes = Invokes(request["account_id"], "aws", registrar.region_of, client)

    sys.path.insert(0, str(workdir))
    try:
        import pulumi  # noqa: F401 - the SDK must import before we patch it
        from pulumi.runtime import config as pconfig
        from pulumi.runtime import mocks, settings, stack
    except ImportError as exc:
        return {"kind": "environment", "message": f"the Pulumi SDK is missing: {exc}"}

    sources = _install_source_tracking(workdir)
    monitor = build_monitor(registrar, invokes, sources)
    settings.configure(
        mocks.MockSettings(
            monitor=monitor,
            monitor_features=set(monitor.GetDeploymentInfo(None).supportedFeatures),
            engine=mocks.MockEngine(None),
            project=request["project"],
            stack=request["stack"],
            dry_run=request["mode"] != "up",
            organization="organization",
            callbacks=None,
            parallel=8,
        )
    )
    pconfig.set_all_config(request["config"])
    main = workdir / request.get("main", "__main__.py")
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    error = None
    try:
        loop.run_until_complete(
            stack.run_in_stack(lambda: runpy.run_path(str(main), run_name="__main__"))
        )
    except BaseException as exc:
        error = _classify(exc, workdir)
    finally:
        for task in asyncio.all_tasks(loop):
            task.cancel()
    return error


def _classify(exc: BaseException, workdir: Path) -> dict[str, Any]:
    cause: BaseException | None = exc
    seen: set[int] = set()
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, HarnessError):
            return {"kind": cause.kind, "message": cause.message, "hint": cause.hint}
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, KeyboardInterrupt):
        return {"kind": "interrupted", "message": "interrupted"}
    return program_error(exc, workdir)


def confine(request: dict[str, Any]) -> dict[str, Any] | None:
    """Limits the program cannot lift, set before any of its code runs (and before any
    thread starts). In the sandbox a confinement that did not hold is an error: the
    program does not run as root of the sandbox."""
    from harness.sandbox import limits

    limits.apply_rlimits(request.get("max_file_bytes") or limits.MAX_FILE_BYTES)
    if not request.get("sandboxed"):
        limits.limit_processes_by_uid()
        limits.limit_memory()
        return None
    # Not root, not the emulator's user: a uid of its own namespace, whose threads and
    # processes RLIMIT_NPROC counts alone (the zygote also caps processes).
    held = limits.confine_sandboxed()
    if held.get("own_user") and held.get("capabilities_dropped"):
        return None
    return {
        "kind": "environment",
        "message": f"the program could not be confined, so it was not run ({held})",
        "hint": "see README, Isolation",
    }


def main() -> None:
    request = json.loads(Path(sys.argv[1]).read_text())
    channel = WorkerEnd(request["channel"])  # before any code of the program runs
    error = confine(request)
    channel.start()
    if error is None:
        try:
            error = run(request, channel)
        except UnsupportedResource as err:  # raised outside the program
            error = {"kind": err.kind, "message": err.message, "hint": err.hint}
    channel.tell("done", error=error)
    # Threads of the SDK's executor may linger; the harness has our word, so leave now.
    sys.stdout.flush()
    sys.stderr.flush()
    threading.Event().wait(0)
    os._exit(0)


if __name__ == "__main__":
    main()
