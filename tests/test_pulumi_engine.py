"""The pulumi engine, as far as it can run without the Pulumi CLI.

Pure translations are tested directly. The engine's use of the Automation API is
tested against tests/fake_pulumi/pulumi, a scripted stand-in for the CLI: that proves
the calls, config, environment and event/export plumbing, not what the real CLI and
the pulumi-aws provider do against an emulator (see localstack/README.md).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from pulumi.automation import (
    DiagnosticEvent,
    EngineEvent,
    OpType,
    PropertyDiff,
    ResourcePreEvent,
    ResOutputsEvent,
    StepEventMetadata,
    StepEventStateMetadata,
)
from pulumi.automation.events import DiffKind

from harness.engines import pulumi_engine
from harness.engines.base import Op, ProgramSpec
from harness.engines.pulumi_engine import (
    CLI_HINT,
    CLI_MISSING,
    SECRET_SIG,
    SIG_KEY,
    UNKNOWN,
    PulumiCliMissing,
    PulumiEngine,
    PulumiPluginMissing,
    destroy_result,
    drift_between,
    empty_buckets,
    emulator_config,
    op_from_pulumi,
    plan_from_events,
    state_from_deployment,
    workspace_env,
)
from harness.engines.state import ResourceState, StackState
from harness.errors import EXIT_USAGE, HarnessError, ProgramError, ResourceRejected

FAKE_CLI_DIR = Path(__file__).parent / "fake_pulumi"
ENDPOINT = "http://127.0.0.1:4566"

STACK = "urn:pulumi:dev::kata::pulumi:pulumi:Stack::kata-dev"
DEFAULT_PROVIDER = "urn:pulumi:dev::kata::pulumi:providers:aws::default_7_51_1"
WEST = "urn:pulumi:dev::kata::pulumi:providers:aws::west"
ARCHIVE = "urn:pulumi:dev::kata::kata:storage:Archive::archive"
BUCKET = "urn:pulumi:dev::kata::kata:storage:Archive$aws:s3/bucketV2:BucketV2::data"
PAB = (
    "urn:pulumi:dev::kata::kata:storage:Archive$aws:s3/bucketPublicAccessBlock:"
    "BucketPublicAccessBlock::data-pab"
)
QUEUE = "urn:pulumi:dev::kata::aws:sqs/queue:Queue::replica-queue"
ROLE = "urn:pulumi:dev::kata::aws:iam/role:Role::existing"


def secret(value: object) -> dict[str, str]:
    return {SIG_KEY: SECRET_SIG, "plaintext": json.dumps(value)}


def provider_inputs(region: str) -> dict[str, object]:
    return {
        "accessKey": secret("test"),
        "region": region,
        "s3UsePathStyle": "true",
        "secretKey": secret("test"),
        "skipCredentialsValidation": "true",
        "skipRequestingAccountId": "true",
        "version": "7.51.1",
    }


def deployment() -> dict:
    """A checkpoint as `pulumi stack export --show-secrets` prints it (deployment v3)."""
    return {
        "manifest": {
            "time": "2026-01-01T00:00:00.000000Z",
            "magic": "0123456789abcdef",
            "version": "v3.200.0",
        },
        "secrets_providers": {"type": "passphrase", "state": {"salt": "v1:c2FsdA==:v1:aXY=:Y3Q="}},
        "resources": [
            {
                "urn": STACK,
                "custom": False,
                "type": "pulumi:pulumi:Stack",
                "outputs": {"bucketName": "data-1a2b3c4", "dbPassword": secret("hunter2")},
            },
            {
                "urn": DEFAULT_PROVIDER,
                "custom": True,
                "id": "5f1b3c9e-8a52-4d1a-9a8f-0c2f1d7e6b10",
                "type": "pulumi:providers:aws",
                "inputs": provider_inputs("eu-west-1"),
                "outputs": provider_inputs("eu-west-1"),
            },
            {
                "urn": WEST,
                "custom": True,
                "id": "9d0e6f2a-1b3c-4d5e-8f70-a1b2c3d4e5f6",
                "type": "pulumi:providers:aws",
                "inputs": provider_inputs("us-west-2"),
                "outputs": provider_inputs("us-west-2"),
                "parent": STACK,
            },
            {
                "urn": ARCHIVE,
                "custom": False,
                "type": "kata:storage:Archive",
                "parent": STACK,
            },
            {
                "urn": BUCKET,
                "custom": True,
                "id": "data-1a2b3c4",
                "type": "aws:s3/bucketV2:BucketV2",
                "inputs": {
                    "__defaults": ["bucket"],
                    "bucket": "data-1a2b3c4",
                    "forceDestroy": False,
                    "tags": {"team": "kata"},
                },
                "outputs": {
                    "arn": "arn:aws:s3:::data-1a2b3c4",
                    "bucket": "data-1a2b3c4",
                    "forceDestroy": False,
                    "id": "data-1a2b3c4",
                    "tags": {"team": "kata"},
                    "tagsAll": {"team": "kata"},
                },
                "parent": ARCHIVE,
                "provider": f"{DEFAULT_PROVIDER}::5f1b3c9e-8a52-4d1a-9a8f-0c2f1d7e6b10",
                "protect": True,
                "propertyDependencies": {"bucket": [], "forceDestroy": [], "tags": []},
                "sourcePosition": "project:///__main__.py#14,5",
            },
            {
                "urn": PAB,
                "custom": True,
                "id": "data-1a2b3c4",
                "type": "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
                "inputs": {"blockPublicAcls": True, "bucket": "data-1a2b3c4"},
                "outputs": {
                    "blockPublicAcls": True,
                    "bucket": "data-1a2b3c4",
                    "id": "data-1a2b3c4",
                },
                "parent": ARCHIVE,
                "provider": f"{DEFAULT_PROVIDER}::5f1b3c9e-8a52-4d1a-9a8f-0c2f1d7e6b10",
                "dependencies": [BUCKET],
                "propertyDependencies": {"blockPublicAcls": [], "bucket": [BUCKET]},
            },
            {  # the old copy of a replaced queue, left pending deletion by a failed update
                "urn": QUEUE,
                "custom": True,
                "delete": True,
                "id": "http://127.0.0.1:4566/123456789012/replica-queue-old",
                "type": "aws:sqs/queue:Queue",
                "provider": f"{WEST}::9d0e6f2a-1b3c-4d5e-8f70-a1b2c3d4e5f6",
            },
            {
                "urn": QUEUE,
                "custom": True,
                "id": "http://127.0.0.1:4566/123456789012/replica-queue-5e6f7a8",
                "type": "aws:sqs/queue:Queue",
                "inputs": {"name": "replica-queue-5e6f7a8", "visibilityTimeoutSeconds": 30},
                "outputs": {
                    "arn": "arn:aws:sqs:us-west-2:123456789012:replica-queue-5e6f7a8",
                    "name": "replica-queue-5e6f7a8",
                    "visibilityTimeoutSeconds": 30,
                },
                "parent": STACK,
                "provider": f"{WEST}::9d0e6f2a-1b3c-4d5e-8f70-a1b2c3d4e5f6",
                "retainOnDelete": True,
                "ignoreChanges": ["tags"],
            },
            {  # aws.iam.Role.get(...): read, not managed
                "urn": ROLE,
                "custom": True,
                "external": True,
                "id": "existing",
                "type": "aws:iam/role:Role",
                "provider": f"{DEFAULT_PROVIDER}::5f1b3c9e-8a52-4d1a-9a8f-0c2f1d7e6b10",
            },
        ],
    }


# -- emulator_config / workspace_env --------------------------------------------------


def test_emulator_config_sets_endpoints_only_for_listed_services() -> None:
    config = emulator_config(ENDPOINT, "eu-west-1", ["s3", "SQS ", "iam", "s3", ""])
    endpoints = {k: v.value for k, v in config.items() if k.startswith("aws:endpoints")}
    assert endpoints == {
        "aws:endpoints[0].iam": ENDPOINT,
        "aws:endpoints[0].s3": ENDPOINT,
        "aws:endpoints[0].sqs": ENDPOINT,
    }


def test_emulator_config_carries_the_pulumi_local_settings() -> None:
    config = {k: v.value for k, v in emulator_config(ENDPOINT, "eu-west-1", []).items()}
    assert config == {
        "aws:region": "eu-west-1",
        "aws:accessKey": "test",
        "aws:secretKey": "test",
        "aws:s3UsePathStyle": "true",
        "aws:skipCredentialsValidation": "true",
        "aws:skipRequestingAccountId": "true",
    }
    assert not any(v.secret for v in emulator_config(ENDPOINT, "eu-west-1", ["s3"]).values())


def test_workspace_env_uses_a_local_backend_and_the_emulator(tmp_path: Path) -> None:
    env = workspace_env(tmp_path / "backend", ENDPOINT, "eu-west-1")
    assert env["PULUMI_BACKEND_URL"] == (tmp_path / "backend").resolve().as_uri()
    assert env["PULUMI_BACKEND_URL"].startswith("file:///")
    assert env["PULUMI_CONFIG_PASSPHRASE"]
    assert env["PULUMI_SKIP_UPDATE_CHECK"] == "true"
    assert env["AWS_ENDPOINT_URL"] == ENDPOINT
    assert (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]) == ("test", "test")


# -- state_from_deployment ------------------------------------------------------------


def test_state_from_deployment_maps_every_field() -> None:
    state = state_from_deployment(deployment(), "kata", "dev", ENDPOINT)
    assert (state.project, state.stack, state.engine, state.endpoint) == (
        "kata",
        "dev",
        "pulumi",
        ENDPOINT,
    )
    bucket = state.named("data")
    assert bucket.urn == BUCKET
    assert bucket.type == "aws:s3/bucketV2:BucketV2"
    assert bucket.id == "data-1a2b3c4"
    assert bucket.inputs["tags"] == {"team": "kata"}
    assert bucket.outputs["arn"] == "arn:aws:s3:::data-1a2b3c4"
    assert bucket.region == "eu-west-1"  # from the default provider's config
    assert bucket.provider == ""  # the default provider is not an explicit one
    assert bucket.parent == ARCHIVE
    assert bucket.protect is True
    assert bucket.retain_on_delete is False
    assert bucket.custom is True
    assert bucket.source == "__main__.py:14"

    pab = state.named("data-pab")
    assert pab.dependencies == [BUCKET]
    assert pab.property_dependencies == {"blockPublicAcls": [], "bucket": [BUCKET]}

    queue = state.named("replica-queue")
    assert queue.provider == WEST
    assert queue.region == "us-west-2"
    assert queue.retain_on_delete is True
    assert queue.ignore_changes == ["tags"]


def test_state_from_deployment_resolves_providers_components_and_secrets() -> None:
    state = state_from_deployment(deployment(), "kata", "dev", ENDPOINT)
    west = state.named("west")
    assert (west.provider, west.region, west.parent) == ("", "us-west-2", STACK)
    assert west.inputs["accessKey"] == "test"  # secret envelope unwrapped
    archive = state.named("archive")
    assert (archive.custom, archive.region, archive.id) == (False, "", "")
    assert state.outputs == {"bucketName": "data-1a2b3c4", "dbPassword": "hunter2"}


def test_state_from_deployment_leaves_out_pending_deletes_and_reads() -> None:
    state = state_from_deployment(deployment(), "kata", "dev", ENDPOINT)
    assert [r.urn for r in state.resources].count(QUEUE) == 1
    assert state.named("replica-queue").id.endswith("replica-queue-5e6f7a8")
    assert ROLE not in state.by_urn()
    assert {r.urn for r in state.managed()} == {BUCKET, PAB, QUEUE}


def test_state_from_deployment_round_trips_through_the_state_file(tmp_path: Path) -> None:
    state = state_from_deployment(deployment(), "kata", "dev", ENDPOINT)
    state.write(tmp_path / "state.json")
    assert StackState.read(tmp_path / "state.json") == state


def test_state_from_an_empty_stack() -> None:
    state = state_from_deployment({"manifest": {}}, "kata", "dev", ENDPOINT)
    assert (state.resources, state.outputs) == ([], {})


# -- events -> Plan -------------------------------------------------------------------


def step(op: OpType, urn: str, type_: str, **kw: object) -> EngineEvent:
    new = kw.pop("new", None)
    meta = StepEventMetadata(op=op, urn=urn, type=type_, provider="", new=new, **kw)
    return EngineEvent(sequence=0, timestamp=0, resource_pre_event=ResourcePreEvent(meta))


def state_meta(urn: str, type_: str, **kw: object) -> StepEventStateMetadata:
    base = {"id": "", "parent": STACK, "provider": "", "custom": True}
    return StepEventStateMetadata(type=type_, urn=urn, **{**base, **kw})


@pytest.mark.parametrize("op", list(OpType))
def test_every_pulumi_step_maps_to_an_op(op: OpType) -> None:
    assert isinstance(op_from_pulumi(op), Op)


@pytest.mark.parametrize(
    ("pulumi_op", "op"),
    [
        (OpType.SAME, Op.SAME),
        (OpType.CREATE, Op.CREATE),
        (OpType.UPDATE, Op.UPDATE),
        (OpType.DELETE, Op.DELETE),
        (OpType.REPLACE, Op.REPLACE),
        (OpType.CREATE_REPLACEMENT, Op.REPLACE),
        (OpType.DELETE_REPLACED, Op.REPLACE),
        (OpType.READ, Op.SAME),
        (OpType.REFRESH, Op.SAME),
        (OpType.IMPORT, Op.CREATE),
        ("update", Op.UPDATE),
    ],
)
def test_op_mapping(pulumi_op: OpType | str, op: Op) -> None:
    assert op_from_pulumi(pulumi_op) == op


def test_unknown_step_is_a_clear_error() -> None:
    with pytest.raises(HarnessError, match="unknown step 'teleport'"):
        op_from_pulumi("teleport")


def test_plan_from_events_maps_changes_and_properties() -> None:
    bucket_new = state_meta(
        BUCKET,
        "aws:s3/bucketV2:BucketV2",
        provider=f"{DEFAULT_PROVIDER}::abc",
        inputs={"bucket": "data-1a2b3c4", "tags": {"team": "kata", "env": "dev"}},
    )
    events = [
        step(
            OpType.SAME,
            STACK,
            "pulumi:pulumi:Stack",
            new=state_meta(STACK, "pulumi:pulumi:Stack", custom=False),
        ),
        step(
            OpType.SAME,
            DEFAULT_PROVIDER,
            "pulumi:providers:aws",
            new=state_meta(
                DEFAULT_PROVIDER, "pulumi:providers:aws", inputs={"region": "eu-west-1"}
            ),
        ),
        step(
            OpType.UPDATE,
            BUCKET,
            "aws:s3/bucketV2:BucketV2",
            new=bucket_new,
            diffs=["tags"],
            detailed_diff={"tags.env": PropertyDiff(DiffKind.ADD, True)},
        ),
        step(
            OpType.CREATE_REPLACEMENT,
            QUEUE,
            "aws:sqs/queue:Queue",
            keys=["name"],
            new=state_meta(QUEUE, "aws:sqs/queue:Queue"),
        ),
        step(
            OpType.REPLACE,
            QUEUE,
            "aws:sqs/queue:Queue",
            keys=["name"],
            detailed_diff={"name": PropertyDiff(DiffKind.UPDATE_REPLACE, True)},
        ),
        step(OpType.DELETE_REPLACED, QUEUE, "aws:sqs/queue:Queue"),
        step(
            OpType.DELETE, PAB, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", new=None
        ),
        EngineEvent(sequence=0, timestamp=0, diagnostic_event=DiagnosticEvent("noise", "", "info")),
    ]
    plan = plan_from_events(events)
    ops = {c.name: (c.op, c.properties) for c in plan.changes}
    assert ops == {
        "kata-dev": (Op.SAME, []),
        "default_7_51_1": (Op.SAME, []),
        "data": (Op.UPDATE, ["tags"]),
        "replica-queue": (Op.REPLACE, ["name"]),
        "data-pab": (Op.DELETE, []),
    }
    assert [c.name for c in plan.pending] == ["data", "replica-queue", "data-pab"]
    bucket = next(r for r in plan.resources if r.urn == BUCKET)
    assert bucket.region == "eu-west-1"
    assert bucket.inputs["tags"]["env"] == "dev"
    assert PAB not in {r.urn for r in plan.resources}


def test_plan_merges_a_delete_then_create_into_a_replace() -> None:
    events = [
        step(OpType.DELETE, QUEUE, "aws:sqs/queue:Queue"),
        step(
            OpType.CREATE,
            QUEUE,
            "aws:sqs/queue:Queue",
            new=state_meta(QUEUE, "aws:sqs/queue:Queue"),
        ),
    ]
    assert [c.op for c in plan_from_events(events).changes] == [Op.REPLACE]


def test_plan_outputs_come_from_the_stack_outputs_event() -> None:
    stack_meta = state_meta(
        STACK, "pulumi:pulumi:Stack", custom=False, outputs={"queueUrl": UNKNOWN, "name": "x"}
    )
    meta = StepEventMetadata(
        op=OpType.SAME, urn=STACK, type="pulumi:pulumi:Stack", provider="", new=stack_meta
    )
    events = [EngineEvent(sequence=1, timestamp=0, res_outputs_event=ResOutputsEvent(meta))]
    assert plan_from_events(events).outputs == {"queueUrl": None, "name": "x"}


def test_plan_from_detailed_diff_paths_only() -> None:
    events = [
        step(
            OpType.UPDATE,
            BUCKET,
            "aws:s3/bucketV2:BucketV2",
            detailed_diff={
                "tags.env": PropertyDiff(DiffKind.UPDATE, True),
                "rules[0].id": PropertyDiff(DiffKind.UPDATE, True),
                '["odd.key"]': PropertyDiff(DiffKind.ADD, True),
            },
        )
    ]
    assert plan_from_events(events).changes[0].properties == ["odd.key", "rules", "tags"]


# -- drift and destroy from two states ------------------------------------------------


def test_drift_between_reports_changed_and_deleted() -> None:
    before = state_from_deployment(deployment(), "kata", "dev", ENDPOINT)
    changed = deployment()
    bucket = next(r for r in changed["resources"] if r["urn"] == BUCKET)
    bucket["outputs"]["tags"] = {"team": "someone-else"}
    changed["resources"] = [r for r in changed["resources"] if r["urn"] != PAB]
    after = state_from_deployment(changed, "kata", "dev", ENDPOINT)
    drifts = drift_between(before, after)
    assert [(d.name, d.property, d.kind, d.expected, d.actual) for d in drifts] == [
        ("data", "tags", "changed", {"team": "kata"}, {"team": "someone-else"}),
        ("data-pab", "", "deleted", "data-1a2b3c4", None),
    ]


def test_drift_skips_ignored_changes() -> None:
    def with_queue_tags(tags: dict[str, str]) -> StackState:
        doc = deployment()
        queue = next(r for r in doc["resources"] if r["urn"] == QUEUE and not r.get("delete"))
        queue["inputs"]["tags"] = {"team": "kata"}
        queue["outputs"]["tags"] = tags
        return state_from_deployment(doc, "kata", "dev", ENDPOINT)

    before, after = with_queue_tags({"team": "kata"}), with_queue_tags({"team": "ops"})
    assert before.named("replica-queue").ignore_changes == ["tags"]
    assert drift_between(before, after) == []


def test_no_drift_when_nothing_changed() -> None:
    state = state_from_deployment(deployment(), "kata", "dev", ENDPOINT)
    assert drift_between(state, state) == []


def test_destroy_result_sorts_deleted_retained_and_protected() -> None:
    before = state_from_deployment(deployment(), "kata", "dev", ENDPOINT)
    left = deployment()
    left["resources"] = [
        r for r in left["resources"] if r["urn"] in (STACK, DEFAULT_PROVIDER, ARCHIVE, BUCKET)
    ]
    after = state_from_deployment(left, "kata", "dev", ENDPOINT)
    result = destroy_result(before, after)
    assert (result.deleted, result.retained, result.protected) == ([PAB], [QUEUE], [BUCKET])


def test_empty_buckets_removes_every_version_before_destroy() -> None:
    import boto3

    from harness.emulator import client_kwargs, start_embedded

    with start_embedded() as emulator:
        s3 = boto3.client("s3", **client_kwargs(emulator.endpoint, "eu-west-1"))
        where = {"LocationConstraint": "eu-west-1"}
        s3.create_bucket(Bucket="data-1a2b3c4", CreateBucketConfiguration=where)
        s3.put_bucket_versioning(
            Bucket="data-1a2b3c4", VersioningConfiguration={"Status": "Enabled"}
        )
        for body in (b"one", b"two"):
            s3.put_object(Bucket="data-1a2b3c4", Key="uploads/a.txt", Body=body)
        s3.delete_object(Bucket="data-1a2b3c4", Key="uploads/a.txt")  # a delete marker
        resources = [
            ResourceState(
                BUCKET, "aws:s3/bucketV2:BucketV2", "data", "data-1a2b3c4", region="eu-west-1"
            ),
            ResourceState(QUEUE, "aws:sqs/queue:Queue", "replica-queue", "data-1a2b3c4"),
            ResourceState(f"{BUCKET}-gone", "aws:s3/bucket:Bucket", "gone", "no-such-bucket"),
        ]
        emptied = empty_buckets(resources, emulator.endpoint, "eu-west-1")
        versions = s3.list_object_versions(Bucket="data-1a2b3c4")
    assert emptied == ["data-1a2b3c4"]
    assert not versions.get("Versions") and not versions.get("DeleteMarkers")


# -- the CLI is missing ---------------------------------------------------------------


def make_spec(tmp_path: Path) -> ProgramSpec:
    workdir = tmp_path / "kata"
    workdir.mkdir()
    (workdir / "Pulumi.yaml").write_text("name: kata\nruntime: python\n")
    (workdir / "__main__.py").write_text("import pulumi\n")
    return ProgramSpec(
        workdir=workdir,
        project="kata",
        stack="dev",
        config={"aws:region": "eu-west-1", "kata:owner": "dev-team"},
        endpoint=ENDPOINT,
        state_file=tmp_path / "run" / "state.json",
    )


def test_missing_cli_is_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(PulumiCliMissing) as info:
        PulumiEngine(make_spec(tmp_path), services=["s3"])
    err = info.value
    assert isinstance(err, HarnessError)
    assert err.exit_code == EXIT_USAGE
    assert (
        err.message == CLI_MISSING == "the pulumi engine needs the Pulumi CLI (not found on PATH)"
    )
    assert err.hint == CLI_HINT == "install it from pulumi.com, or use the default local engine"
    assert "\n" not in str(err)
    assert err.__cause__ is None and err.__context__ is None  # no traceback chain to print


# -- the engine against a scripted CLI ------------------------------------------------


def preview_events() -> list[dict]:
    def pre(op: str, urn: str, type_: str, **new: object) -> dict:
        state = {
            "type": type_,
            "urn": urn,
            "id": "",
            "parent": STACK,
            "provider": "",
            "custom": True,
            **new,
        }
        meta = {"op": op, "urn": urn, "type": type_, "provider": "", "new": state}
        if op == "update":
            meta["diffs"] = ["tags"]
        return {"resourcePreEvent": {"metadata": meta}}

    return [
        pre("create", STACK, "pulumi:pulumi:Stack", custom=False, parent=""),
        pre("create", DEFAULT_PROVIDER, "pulumi:providers:aws", inputs={"region": "eu-west-1"}),
        pre(
            "update",
            BUCKET,
            "aws:s3/bucketV2:BucketV2",
            provider=f"{DEFAULT_PROVIDER}::abc",
            inputs={"bucket": "data-1a2b3c4"},
        ),
    ]


@pytest.fixture
def fake_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "fake-cli"
    home.mkdir()
    monkeypatch.setenv("FAKE_PULUMI_DIR", str(home))
    monkeypatch.setenv("PATH", f"{FAKE_CLI_DIR}{os.pathsep}{os.environ.get('PATH', '')}")
    refreshed = deployment()
    bucket = next(r for r in refreshed["resources"] if r["urn"] == BUCKET)
    bucket["outputs"]["tags"] = {"team": "someone-else"}
    destroyed = deployment()
    kept = (STACK, ARCHIVE, BUCKET, DEFAULT_PROVIDER)
    destroyed["resources"] = [r for r in destroyed["resources"] if r["urn"] in kept]
    write_scenario(
        home,
        events={"preview": preview_events()},
        deployments={"up": deployment(), "refresh": refreshed, "destroy": destroyed},
    )
    return home


def write_scenario(home: Path, **scenario: object) -> None:
    (home / "scenario.json").write_text(json.dumps({"version": "3.200.0", **scenario}))


def calls(home: Path) -> list[dict]:
    return [json.loads(line) for line in (home / "calls.jsonl").read_text().splitlines()]


def test_preview_through_the_automation_api(tmp_path: Path, fake_cli: Path) -> None:
    spec = make_spec(tmp_path)
    plan = PulumiEngine(spec, services=["s3", "sqs"]).preview()
    assert [(c.name, c.op, c.properties) for c in plan.changes] == [
        ("kata-dev", Op.CREATE, []),
        ("default_7_51_1", Op.CREATE, []),
        ("data", Op.UPDATE, ["tags"]),
    ]
    assert next(r for r in plan.resources if r.urn == BUCKET).region == "eu-west-1"

    log = calls(fake_cli)
    sets = [c["args"] for c in log if c["args"][:2] == ["config", "set-all"]]
    program, emulator = sets
    assert "--path" not in program and "kata:owner=dev-team" in program
    assert "aws:region=eu-west-1" not in program  # the emulator config sets the region
    assert "--path" in emulator
    assert f"aws:endpoints[0].s3={ENDPOINT}" in emulator
    assert f"aws:endpoints[0].sqs={ENDPOINT}" in emulator
    assert not any(a.startswith("aws:endpoints[0].iam") for a in emulator)
    assert "aws:s3UsePathStyle=true" in emulator

    run = next(c for c in log if c["args"][0] == "preview")
    assert run["env"]["PULUMI_BACKEND_URL"].startswith("file:///")
    assert run["env"]["PULUMI_CONFIG_PASSPHRASE"]
    assert run["env"]["AWS_ENDPOINT_URL"] == ENDPOINT
    # The program runs from a private copy; the candidate's directory is left alone.
    assert Path(run["cwd"]) == tmp_path / "run" / ".pulumi-dev" / "project"
    assert (Path(run["cwd"]) / "__main__.py").is_file()
    assert sorted(p.name for p in spec.workdir.iterdir()) == ["Pulumi.yaml", "__main__.py"]


def test_up_refresh_destroy_through_the_automation_api(
    tmp_path: Path, fake_cli: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    purged: list[str] = []
    monkeypatch.setattr(
        pulumi_engine, "empty_buckets", lambda rs, *_: purged.extend(r.urn for r in rs)
    )
    spec = make_spec(tmp_path)
    engine = PulumiEngine(spec, services=["s3"])

    state = engine.up()
    assert state == state_from_deployment(deployment(), "kata", "dev", ENDPOINT)
    assert engine.state() == state  # written to spec.state_file
    assert state.outputs["dbPassword"] == "hunter2"
    assert ["stack", "export", "--show-secrets", "--stack", "dev"] in [
        c["args"] for c in calls(fake_cli)
    ]

    drifts = engine.refresh()
    assert [(d.name, d.property, d.kind) for d in drifts] == [("data", "tags", "changed")]

    result = engine.destroy()
    assert (result.deleted, result.retained, result.protected) == ([PAB], [QUEUE], [BUCKET])
    assert purged == [PAB]  # the protected bucket and the retained queue keep their contents
    destroy = next(c["args"] for c in calls(fake_cli) if c["args"][0] == "destroy")
    assert "--exclude-protected" in destroy
    assert {r.urn for r in engine.state().managed()} == {BUCKET}


def test_a_rejected_resource_is_named(tmp_path: Path, fake_cli: Path) -> None:
    diag = {
        "diagnosticEvent": {
            "urn": QUEUE,
            "message": "creating SQS Queue (replica-queue): InvalidParameterValue: bad\n  details",
            "color": "never",
            "severity": "error",
        }
    }
    write_scenario(fake_cli, events={"up": [diag]}, fail={"up": "error: update failed"})
    with pytest.raises(ResourceRejected) as info:
        PulumiEngine(make_spec(tmp_path), services=["sqs"]).up()
    assert str(info.value) == (
        "replica-queue (aws:sqs/queue:Queue): creating SQS Queue (replica-queue): "
        "InvalidParameterValue: bad"
    )


def test_a_failed_program_is_a_program_error(tmp_path: Path, fake_cli: Path) -> None:
    write_scenario(fake_cli, fail={"up": "error: an unhandled error occurred: Program exited"})
    with pytest.raises(ProgramError, match="an unhandled error occurred"):
        PulumiEngine(make_spec(tmp_path), services=["s3"]).up()


def test_a_missing_provider_plugin_says_how_to_install_it(tmp_path: Path, fake_cli: Path) -> None:
    write_scenario(
        fake_cli,
        fail={
            "preview": "error: could not load plugin for aws provider 'default_7_51_1': "
            "no resource plugin 'pulumi-resource-aws' found in the workspace at version v7.51.1"
        },
    )
    with pytest.raises(PulumiPluginMissing) as info:
        PulumiEngine(make_spec(tmp_path), services=["s3"]).preview()
    assert info.value.message == "the pulumi-aws provider plugin 7.51.1 is not installed"
    assert "pulumi plugin install resource aws 7.51.1" in info.value.hint
