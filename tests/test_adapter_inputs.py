"""No silent drops: every input of a supported type is applied, or the run is refused.

Each adapter declares the top-level inputs it applies (``handles``). These tests hold
that list against the pulumi-aws class's own inputs, so a new pulumi-aws version cannot
add an input that is quietly ignored: every class input an adapter does not handle must
be refused, in preview already, with one line naming the type, the resource and the
input. The check runs in the applier, so it is called directly (no deploy per pair).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import pulumi_aws
import pytest

from harness.adapters import REGISTRY
from harness.adapters.base import APPLIER_HANDLES, Adapter, snake
from harness.engines.local import LocalEngine
from harness.engines.local.applier import Applier, Registration
from harness.errors import UnsupportedResource

_NOT_INPUTS = {"__self__", "resource_name", "opts", "__props__"}


def resource_class(token: str) -> type | None:
    """``aws:s3/bucket:Bucket`` -> ``pulumi_aws.s3.Bucket`` (``lambda`` is ``lambda_``)."""
    module = token.split(":")[1].split("/")[0]
    module = "lambda_" if module == "lambda" else module
    return getattr(getattr(pulumi_aws, module, None), token.split(":")[2], None)


def class_inputs(token: str) -> set[str]:
    """The resource's inputs as the SDK sends them (camelCase).

    Read from ``_internal_init`` rather than ``<Type>Args``: in pulumi_aws.s3,
    ``BucketVersioningArgs`` is the Bucket's nested block, not the resource's args.
    """
    cls = resource_class(token)
    assert cls is not None, f"{token}: no such class in pulumi_aws"
    names = [p for p in inspect.signature(cls._internal_init).parameters if p not in _NOT_INPUTS]
    return {(getattr(getattr(cls, n, None), "fget", None) and _camel(cls, n)) or n for n in names}


def _camel(cls: type, name: str) -> str:
    return getattr(getattr(cls, name).fget, "_pulumi_name", name)


def tokens() -> list[str]:
    """Every token the registry answers for, that pulumi-aws still has a class for."""
    return sorted(t for t in REGISTRY if resource_class(t) is not None)


def unhandled_pairs() -> list[tuple[str, str]]:
    return [
        (token, key)
        for token in tokens()
        for key in sorted(class_inputs(token) - REGISTRY[token].handles - APPLIER_HANDLES)
    ]


def preview_applier() -> Applier:
    # Preview: nothing is sent anywhere, the endpoint is never dialled.
    applier = Applier(
        endpoint="http://127.0.0.1:9",
        stack="dev",
        default_region="us-east-1",
        account_id="123456789012",
        apply=False,
    )
    applier.refusals.quiet_s = 0.0  # one registration at a time here: nothing to wait for
    return applier


def registration(token: str, name: str = "thing") -> Registration:
    return Registration(
        urn=f"urn:pulumi:dev::p::{token}::{name}",
        type=token,
        name=name,
        parent="",
        provider="",
        dependencies=[],
        property_dependencies={},
        protect=False,
        retain_on_delete=False,
        ignore_changes=[],
        custom=True,
    )


@pytest.mark.parametrize("adapter_cls", sorted({type(a) for a in REGISTRY.values()}, key=str))
def test_every_adapter_declares_what_it_handles(adapter_cls: type[Adapter]) -> None:
    assert adapter_cls.handles, f"{adapter_cls.type_token}: no handles declared"


@pytest.mark.parametrize("token", tokens())
def test_handles_are_inputs_of_the_pulumi_class(token: str) -> None:
    adapter = REGISTRY[token]
    # An alias (BucketV2 for Bucket) shares the adapter: its inputs count too.
    known = set().union(
        *(class_inputs(t) for t in (adapter.type_token, *adapter.aliases) if resource_class(t))
    )
    assert adapter.handles <= known, (
        f"{token}: handles inputs pulumi-aws does not have: {sorted(adapter.handles - known)}"
    )
    assert not adapter.instead.keys() & adapter.handles, f"{token}: 'instead' names handled inputs"


@pytest.mark.parametrize(("token", "key"), unhandled_pairs())
def test_an_unhandled_input_is_refused_naming_it(token: str, key: str) -> None:
    applier = preview_applier()
    with pytest.raises(UnsupportedResource) as refused:
        applier.register(registration(token), {key: "x"})
    message = str(refused.value)
    assert f"{token} 'thing': the local engine does not apply {snake(key)}" in message
    assert "--engine pulumi" in message
    assert applier.resources == {}, "a refused resource must not be planned or created"


@pytest.mark.parametrize("token", tokens())
def test_none_is_no_value(token: str) -> None:
    """The SDK sends an input the program left out as absent or None: not refused."""
    keys = class_inputs(token) - REGISTRY[token].handles - APPLIER_HANDLES
    assert preview_applier().refusals.admit(token, "thing", REGISTRY[token], dict.fromkeys(keys))


def test_refusals_of_one_run_add_up_in_one_line() -> None:
    applier = preview_applier()
    with pytest.raises(UnsupportedResource):  # the first refusal reports, once quiet
        applier.register(registration("aws:ec2/vpcEndpoint:VpcEndpoint", "endpoint"), {})
    # Later refusals answer their inputs without an id, so what depends on them still
    # registers (and is checked); they join the one error.
    for token, name, inputs in (
        ("aws:s3/bucket:Bucket", "data", {"grants": [{"type": "Group"}], "logging": {"x": 1}}),
        ("aws:ecs/capacityProvider:CapacityProvider", "capacity", {"name": "c"}),
    ):
        assert applier.register(registration(token, name), inputs) == ("", inputs)
    message = str(applier.refusals.error)
    assert "\n" not in message
    assert message == (
        "the local engine does not support aws:ec2/vpcEndpoint:VpcEndpoint, "
        "aws:ecs/capacityProvider:CapacityProvider; "
        "aws:s3/bucket:Bucket 'data': the local engine does not apply grants, logging"
        " — or run it with --engine pulumi"
    )
    assert applier.resources == {}, "nothing refused is planned or created"

    # The placeholder leaves out asset stand-ins: the SDK would refuse a dict as an Archive
    # in another thread and hide the refusal behind its own assertion.
    code = {"__asset_path": "/tmp/app.zip"}
    assert applier.refusals.placeholder({"code": code, "handler": "a.h"}) == {"handler": "a.h"}


def test_a_resource_region_input_places_it_in_that_region() -> None:
    applier = preview_applier()
    applier.register(registration("aws:sqs/queue:Queue"), {"name": "q", "region": "eu-west-1"})
    (state,) = applier.resources.values()
    assert state.region == "eu-west-1"
    assert state.outputs["arn"] == "arn:aws:sqs:eu-west-1:123456789012:q"


def test_a_deploy_with_an_unapplied_input_is_refused(
    pulumi_project: Callable[..., LocalEngine],
) -> None:
    engine = pulumi_project(
        """
        import pulumi_aws as aws
        import pulumi
        aws.s3.Bucket("data", logging={"target_bucket": "logs"})
        aws.lambda_.Function(
            "fn", role="arn:aws:iam::123456789012:role/r", runtime="python3.12",
            handler="app.handler",
            code=pulumi.AssetArchive({"app.py": pulumi.StringAsset("x = 1")}),
            file_system_config={"arn": "arn:aws:elasticfilesystem:us-east-1:1:access-point/a",
                                "local_mount_path": "/mnt/data"},
        )
        aws.ec2.VpcEndpoint("endpoint", vpc_id="vpc-1", service_name="com.amazonaws.s3")
        aws.ecs.CapacityProvider("capacity", auto_scaling_group_provider={})
        """
    )
    with pytest.raises(UnsupportedResource) as refused:
        engine.up()
    message = str(refused.value)
    assert "aws:ec2/vpcEndpoint:VpcEndpoint" in message
    assert "aws:ecs/capacityProvider:CapacityProvider" in message
    assert "aws:s3/bucket:Bucket 'data': the local engine does not apply logging" in message
    assert (
        "aws:lambda/function:Function 'fn': the local engine does not apply file_system_config"
        in (message)
    )
    state = engine.state()
    assert state is None or not [r for r in state.resources if r.custom and r.id], (
        "nothing may be created for a refused program"
    )
