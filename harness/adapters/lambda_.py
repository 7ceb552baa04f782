"""Lambda: functions (published as numbered versions) and aliases.

Named ``lambda_`` because ``lambda`` is a Python keyword (pulumi_aws does the same).

A function's code comes from an archive the program ships (``code=FileArchive(...)``,
a zip file, a directory or an ``AssetArchive``) or from S3 (``s3Bucket``/``s3Key``,
optionally pinned with ``s3ObjectVersion``). With ``publish=True`` the provider
publishes a numbered version on create and on every change of code or configuration,
and reports the latest one as ``version`` (``$LATEST`` without publish); so do we.

moto stores functions, versions and aliases (with their weighted ``RoutingConfig``)
without Docker; invoking needs Docker, so nothing here invokes.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from harness.adapters.base import (
    Adapter,
    Context,
    auto_name,
    camel_keys,
    covers,
    keep_shape,
    not_found,
    pascal_keys,
)

# Inputs UpdateFunctionConfiguration changes; a change to any of them publishes a
# version when publish is set (as the provider does).
CONFIG_KEYS = (
    "description",
    "handler",
    "runtime",
    "role",
    "memorySize",
    "timeout",
    "environment",
    "tracingConfig",
    "deadLetterConfig",
    "kmsKeyArn",
    "layers",
    "ephemeralStorage",
    "loggingConfig",
    "vpcConfig",
    "imageConfig",
    "snapStart",
    "fileSystemConfig",
)
# Inputs UpdateFunctionCode changes.
CODE_KEYS = (
    "code",
    "s3Bucket",
    "s3Key",
    "s3ObjectVersion",
    "imageUri",
    "architectures",
    "sourceCodeHash",
    "codeSha256",
)
SCALARS = {
    "description": "Description",
    "handler": "Handler",
    "runtime": "Runtime",
    "role": "Role",
    "memorySize": "MemorySize",
    "timeout": "Timeout",
    "kmsKeyArn": "KMSKeyArn",
}
INTEGERS = {"memorySize", "timeout"}


def archive_bytes(code: dict[str, Any]) -> bytes:
    """The zip the provider would upload for a FileArchive / AssetArchive input."""
    if "__asset_path" in code:
        path = Path(code["__asset_path"])
        if path.is_dir():
            return _zip({str(f.relative_to(path)): f.read_bytes() for f in _files(path)})
        return path.read_bytes()  # a .zip (or .jar) file is uploaded as it is
    if "__archive" in code:
        entries: dict[str, bytes] = {}
        for name, asset in code["__archive"].items():
            if "__asset_text" in asset:
                entries[name] = asset["__asset_text"].encode()
            elif "__asset_path" in asset:
                p = Path(asset["__asset_path"])
                if p.is_dir():
                    for f in _files(p):
                        entries[f"{name}/{f.relative_to(p)}"] = f.read_bytes()
                else:
                    entries[name] = p.read_bytes()
        return _zip(entries)
    raise ValueError("code: expected a FileArchive or an AssetArchive")


def _files(root: Path) -> list[Path]:
    return sorted(f for f in root.rglob("*") if f.is_file())


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(entries):
            # A fixed timestamp: the same files make the same zip (and the same hash).
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            zf.writestr(info, entries[name], zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def _without_code(inputs: dict[str, Any]) -> dict[str, Any]:
    # The SDK types ``code`` as an Archive; handing our stand-in back would not
    # deserialize, and the provider's state keeps no more than a hash of it anyway.
    return {k: v for k, v in inputs.items() if k != "code"}


class Function(Adapter):
    type_token = "aws:lambda/function:Function"
    replace_on = frozenset({"name", "packageType"})
    autoname = ("name", 64)
    # sourceCodeHash only triggers a code update when it changes (as in the provider).
    handles = frozenset(
        {
            "name",
            "code",
            "s3Bucket",
            "s3Key",
            "s3ObjectVersion",
            "imageUri",
            "publish",
            "packageType",
            "architectures",
            "tags",
            "reservedConcurrentExecutions",
            "environment",
            "tracingConfig",
            "deadLetterConfig",
            "layers",
            "ephemeralStorage",
            "loggingConfig",
            "vpcConfig",
            "skipDestroy",
            "sourceCodeHash",
            *SCALARS,
        }
    )

    def check(self, ctx: Context, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        out = super().check(ctx, name, inputs)
        code = out.get("code")
        if isinstance(code, dict) and ("__asset_path" in code or "__archive" in code):
            # Pulumi diffs an archive by its content hash, not its path: so do we. The
            # key starts with "__", so the policy stage's plan never shows it.
            body = archive_bytes(code)
            out["code"] = {**code, "__hash": hashlib.sha256(body).hexdigest()}
        return out

    # -- helpers -------------------------------------------------------------------

    def _arn(self, ctx: Context, name: str) -> str:
        return f"arn:{ctx.partition}:lambda:{ctx.region}:{ctx.account_id}:function:{name}"

    def _outputs(
        self, ctx: Context, inputs: dict[str, Any], conf: dict[str, Any], version: str
    ) -> dict[str, Any]:
        arn = conf.get("FunctionArn") or self._arn(ctx, inputs["name"])
        arn = arn.rsplit(":", 1)[0] if arn.count(":") > 6 else arn  # unqualified
        invoke = f"arn:{ctx.partition}:apigateway:{ctx.region}:lambda:path/2015-03-31/functions"
        return {
            **_without_code(inputs),
            "arn": arn,
            "invokeArn": f"{invoke}/{arn}/invocations",
            "qualifiedArn": f"{arn}:{version}",
            "qualifiedInvokeArn": f"{invoke}/{arn}:{version}/invocations",
            "version": version,
            "codeSha256": conf.get("CodeSha256", ""),
            "sourceCodeHash": inputs.get("sourceCodeHash") or conf.get("CodeSha256", ""),
            "sourceCodeSize": conf.get("CodeSize", 0),
            "lastModified": conf.get("LastModified", ""),
            "signingJobArn": "",
            "signingProfileVersionArn": "",
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        arn = self._arn(ctx, inputs["name"])
        out = {**_without_code(inputs), "arn": arn, "tagsAll": dict(inputs.get("tags") or {})}
        if not inputs.get("publish"):
            out.update(version="$LATEST", qualifiedArn=f"{arn}:$LATEST")
        return out  # a published version's number is known only once it is published

    def _code(self, inputs: dict[str, Any]) -> dict[str, Any]:
        if inputs.get("code"):
            return {"ZipFile": archive_bytes(inputs["code"])}
        if inputs.get("s3Bucket"):
            code = {"S3Bucket": inputs["s3Bucket"], "S3Key": inputs["s3Key"]}
            if inputs.get("s3ObjectVersion"):
                code["S3ObjectVersion"] = inputs["s3ObjectVersion"]
            return code
        if inputs.get("imageUri"):
            return {"ImageUri": inputs["imageUri"]}
        raise ValueError("one of code, s3Bucket or imageUri must be set")

    def _configuration(self, inputs: dict[str, Any]) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        for key, aws in SCALARS.items():
            if inputs.get(key) not in (None, ""):
                kwargs[aws] = int(inputs[key]) if key in INTEGERS else inputs[key]
        env = inputs.get("environment") or {}
        if "variables" in env:
            kwargs["Environment"] = {"Variables": dict(env.get("variables") or {})}
        if inputs.get("tracingConfig"):
            kwargs["TracingConfig"] = {"Mode": inputs["tracingConfig"]["mode"]}
        if inputs.get("deadLetterConfig"):
            kwargs["DeadLetterConfig"] = {"TargetArn": inputs["deadLetterConfig"]["targetArn"]}
        if inputs.get("layers"):
            kwargs["Layers"] = list(inputs["layers"])
        if inputs.get("ephemeralStorage"):
            kwargs["EphemeralStorage"] = {"Size": int(inputs["ephemeralStorage"]["size"])}
        if inputs.get("loggingConfig"):
            conf = inputs["loggingConfig"]
            kwargs["LoggingConfig"] = {
                aws: conf[key]
                for key, aws in (
                    ("logFormat", "LogFormat"),
                    ("logGroup", "LogGroup"),
                    ("applicationLogLevel", "ApplicationLogLevel"),
                    ("systemLogLevel", "SystemLogLevel"),
                )
                if conf.get(key)
            }
        if inputs.get("vpcConfig"):
            vpc = inputs["vpcConfig"]
            kwargs["VpcConfig"] = {
                "SubnetIds": list(vpc.get("subnetIds") or []),
                "SecurityGroupIds": list(vpc.get("securityGroupIds") or []),
            }
        return kwargs

    def _latest_version(self, ctx: Context, name: str) -> str:
        pages = ctx.client("lambda").get_paginator("list_versions_by_function")
        numbers = [
            int(v["Version"])
            for page in pages.paginate(FunctionName=name)
            for v in page["Versions"]
            if v["Version"].isdigit()
        ]
        return str(max(numbers)) if numbers else "$LATEST"

    def _set_concurrency(self, ctx: Context, name: str, value: Any) -> None:
        lam = ctx.client("lambda")
        if value is None or int(value) < 0:  # the provider's -1 means "unreserved"
            lam.delete_function_concurrency(FunctionName=name)
        else:
            lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=int(value))

    # -- CRUD ----------------------------------------------------------------------

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        lam = ctx.client("lambda")
        kwargs: dict[str, Any] = {
            "FunctionName": inputs["name"],
            "Code": self._code(inputs),
            "Publish": bool(inputs.get("publish")),
            "PackageType": inputs.get("packageType") or "Zip",
            **self._configuration(inputs),
        }
        if inputs.get("architectures"):
            kwargs["Architectures"] = list(inputs["architectures"])
        if inputs.get("tags"):
            kwargs["Tags"] = dict(inputs["tags"])
        conf = lam.create_function(**kwargs)
        if inputs.get("reservedConcurrentExecutions") is not None:
            self._set_concurrency(ctx, inputs["name"], inputs["reservedConcurrentExecutions"])
        version = conf["Version"] if inputs.get("publish") else "$LATEST"
        return inputs["name"], self._outputs(ctx, inputs, conf, version)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        lam = ctx.client("lambda")
        try:
            got = lam.get_function(FunctionName=id_)
        except ClientError as exc:
            if not_found(exc):
                return None
            raise
        conf = got["Configuration"]
        live = dict(inputs)
        for key, aws in SCALARS.items():
            if key in inputs and inputs[key] is not None:
                live[key] = conf.get(aws)
                if key in INTEGERS and live[key] is not None:
                    live[key] = type(inputs[key])(live[key])
        if "environment" in inputs and inputs["environment"] is not None:
            variables = (conf.get("Environment") or {}).get("Variables") or {}
            live["environment"] = {**inputs["environment"], "variables": variables}
        if inputs.get("tracingConfig"):
            mode = (conf.get("TracingConfig") or {}).get("Mode", "PassThrough")
            live["tracingConfig"] = {**inputs["tracingConfig"], "mode": mode}
        if "layers" in inputs and inputs["layers"] is not None:
            live["layers"] = [layer["Arn"] for layer in conf.get("Layers") or []]
        if "reservedConcurrentExecutions" in inputs:
            reserved = lam.get_function_concurrency(FunctionName=id_).get(
                "ReservedConcurrentExecutions"
            )
            wanted = inputs["reservedConcurrentExecutions"]
            unreserved = reserved is None and (wanted is None or int(wanted) < 0)
            live["reservedConcurrentExecutions"] = wanted if unreserved else reserved
        tags = dict(got.get("Tags") or {})
        if tags or "tags" in inputs:
            live["tags"] = tags
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        lam = ctx.client("lambda")
        publish = bool(new.get("publish"))
        config_changed = any(old.get(k) != new.get(k) for k in CONFIG_KEYS)
        code_changed = any(old.get(k) != new.get(k) for k in CODE_KEYS)
        conf: dict[str, Any] = {}
        if config_changed:
            kwargs = self._configuration(new)
            # Removing a block clears it (UpdateFunctionConfiguration leaves omitted ones).
            cleared = {
                "environment": ("Environment", {"Variables": {}}),
                "tracingConfig": ("TracingConfig", {"Mode": "PassThrough"}),
                "deadLetterConfig": ("DeadLetterConfig", {"TargetArn": ""}),
                "layers": ("Layers", []),
            }
            for key, (aws, empty) in cleared.items():
                if old.get(key) and not new.get(key):
                    kwargs[aws] = empty
            conf = lam.update_function_configuration(FunctionName=id_, **kwargs)
        version = ""
        if code_changed:
            kwargs = {"FunctionName": id_, "Publish": publish, **self._code(new)}
            if new.get("architectures"):
                kwargs["Architectures"] = list(new["architectures"])
            conf = lam.update_function_code(**kwargs)
            version = conf["Version"] if publish else ""
        elif publish and config_changed:
            version = lam.publish_version(FunctionName=id_)["Version"]
        if old.get("reservedConcurrentExecutions") != new.get("reservedConcurrentExecutions"):
            self._set_concurrency(ctx, id_, new.get("reservedConcurrentExecutions"))
        if old.get("tags") != new.get("tags"):
            arn = self._arn(ctx, id_)
            removed = [k for k in (old.get("tags") or {}) if k not in (new.get("tags") or {})]
            if removed:
                lam.untag_resource(Resource=arn, TagKeys=removed)
            if new.get("tags"):
                lam.tag_resource(Resource=arn, Tags=dict(new["tags"]))
        if not conf:
            conf = lam.get_function(FunctionName=id_)["Configuration"]
        if publish and not version:
            version = self._latest_version(ctx, id_)
        return self._outputs(ctx, new, conf, version or "$LATEST")

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        if inputs.get("skipDestroy"):
            return  # the provider only forgets it
        try:
            ctx.client("lambda").delete_function(FunctionName=id_)  # versions and aliases too
        except ClientError as exc:
            if not not_found(exc):
                raise


class Alias(Adapter):
    """A named pointer at a published version, optionally weighted towards a second one."""

    type_token = "aws:lambda/alias:Alias"
    replace_on = frozenset({"name", "functionName"})
    handles = frozenset({"name", "functionName", "functionVersion", "description", "routingConfig"})

    @staticmethod
    def _routing(inputs: dict[str, Any]) -> dict[str, Any]:
        weights = (inputs.get("routingConfig") or {}).get("additionalVersionWeights") or {}
        return {"AdditionalVersionWeights": {str(k): float(v) for k, v in weights.items()}}

    def _outputs(self, ctx: Context, inputs: dict[str, Any], arn: str) -> dict[str, Any]:
        invoke = f"arn:{ctx.partition}:apigateway:{ctx.region}:lambda:path/2015-03-31/functions"
        return {**inputs, "arn": arn, "invokeArn": f"{invoke}/{arn}/invocations"}

    def _arn(self, ctx: Context, inputs: dict[str, Any]) -> str:
        function = str(inputs["functionName"])
        if function.startswith("arn:"):
            return f"{function}:{inputs['name']}"
        region, account = ctx.region, ctx.account_id
        return f"arn:{ctx.partition}:lambda:{region}:{account}:function:{function}:{inputs['name']}"

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return self._outputs(ctx, inputs, self._arn(ctx, inputs))

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "FunctionName": inputs["functionName"],
            "Name": inputs["name"],
            "FunctionVersion": inputs["functionVersion"],
            "Description": inputs.get("description") or "",
        }
        if inputs.get("routingConfig"):
            kwargs["RoutingConfig"] = self._routing(inputs)
        arn = ctx.client("lambda").create_alias(**kwargs)["AliasArn"]
        return arn, self._outputs(ctx, inputs, arn)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            alias = ctx.client("lambda").get_alias(
                FunctionName=inputs["functionName"], Name=inputs["name"]
            )
        except ClientError as exc:
            if not_found(exc):
                return None
            raise
        live = {**inputs, "functionVersion": alias["FunctionVersion"]}
        if "description" in inputs or alias.get("Description"):
            live["description"] = alias.get("Description") or inputs.get("description")
        weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
        wanted = (inputs.get("routingConfig") or {}).get("additionalVersionWeights") or {}
        same = {str(k): float(v) for k, v in wanted.items()} == dict(weights)
        if not same:
            live["routingConfig"] = {"additionalVersionWeights": dict(weights)}
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        ctx.client("lambda").update_alias(
            FunctionName=new["functionName"],
            Name=new["name"],
            FunctionVersion=new["functionVersion"],
            Description=new.get("description") or "",
            RoutingConfig=self._routing(new),  # empty weights: all traffic on functionVersion
        )
        return self._outputs(ctx, new, id_)

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("lambda").delete_alias(
                FunctionName=inputs["functionName"], Name=inputs["name"]
            )
        except ClientError as exc:
            if not not_found(exc):
                raise


class Permission(Adapter):
    """One statement of a function's resource policy (AddPermission); id = statement id.

    Every input forces a replacement, as in the provider (AddPermission has no update).
    """

    type_token = "aws:lambda/permission:Permission"
    FIELDS = {
        "action": "Action",
        "principal": "Principal",
        "sourceArn": "SourceArn",
        "sourceAccount": "SourceAccount",
        "eventSourceToken": "EventSourceToken",
        "qualifier": "Qualifier",
        "principalOrgId": "PrincipalOrgID",
        "functionUrlAuthType": "FunctionUrlAuthType",
    }
    handles = frozenset({"function", "statementId", "statementIdPrefix", *FIELDS})
    replace_on = handles

    def check(self, ctx: Context, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        out = dict(inputs)
        if not out.get("statementId"):
            prefix = out.get("statementIdPrefix") or "pulumi-"
            out["statementId"] = auto_name(prefix, ctx.seed, 100, sep="")
        return out

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs = {aws: inputs[k] for k, aws in self.FIELDS.items() if inputs.get(k)}
        ctx.client("lambda").add_permission(
            FunctionName=inputs["function"], StatementId=inputs["statementId"], **kwargs
        )
        return inputs["statementId"], dict(inputs)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        kwargs = {"Qualifier": inputs["qualifier"]} if inputs.get("qualifier") else {}
        try:
            policy = ctx.client("lambda").get_policy(FunctionName=inputs["function"], **kwargs)
        except ClientError as exc:
            if not_found(exc):
                return None
            raise
        statements = json.loads(policy["Policy"]).get("Statement", [])
        found = next((s for s in statements if s.get("Sid") == id_), None)
        if found is None:
            return None
        live = dict(inputs)
        actions = found.get("Action")
        live["action"] = keep_shape(actions, inputs.get("action"))
        return live

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        kwargs = {"Qualifier": inputs["qualifier"]} if inputs.get("qualifier") else {}
        try:
            ctx.client("lambda").remove_permission(
                FunctionName=inputs["function"], StatementId=id_, **kwargs
            )
        except ClientError as exc:
            if not not_found(exc):
                raise


class EventSourceMapping(Adapter):
    """A poller feeding a function from a queue or stream; id = the mapping's UUID.

    moto stores the mapping (and never polls: invoking needs Docker).
    """

    type_token = "aws:lambda/eventSourceMapping:EventSourceMapping"
    replace_on = frozenset({"eventSourceArn", "startingPosition", "startingPositionTimestamp"})
    SETTINGS = (
        "batchSize",
        "enabled",
        "maximumBatchingWindowInSeconds",
        "maximumRecordAgeInSeconds",
        "maximumRetryAttempts",
        "parallelizationFactor",
        "bisectBatchOnFunctionError",
        "functionResponseTypes",
        "tumblingWindowInSeconds",
        "filterCriteria",
        "scalingConfig",
        "destinationConfig",
        "kmsKeyArn",
    )
    handles = frozenset(
        {"eventSourceArn", "functionName", "startingPosition", "startingPositionTimestamp", "tags"}
        | set(SETTINGS)
    )
    KEYS = {"destinationArn": "Destination", "kmsKeyArn": "KMSKeyArn"}

    def _settings(self, inputs: dict[str, Any]) -> dict[str, Any]:
        return pascal_keys(
            {k: inputs[k] for k in self.SETTINGS if inputs.get(k) is not None}, self.KEYS
        )

    def _outputs(self, inputs: dict[str, Any], live: dict[str, Any]) -> dict[str, Any]:
        return {
            **inputs,
            "uuid": live.get("UUID", ""),
            "arn": live.get("EventSourceMappingArn", ""),
            "functionArn": live.get("FunctionArn", ""),
            "state": live.get("State", ""),
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "EventSourceArn": inputs["eventSourceArn"],
            "FunctionName": inputs["functionName"],
            **self._settings(inputs),
        }
        for key, aws in (
            ("startingPosition", "StartingPosition"),
            ("startingPositionTimestamp", "StartingPositionTimestamp"),
        ):
            if inputs.get(key):
                kwargs[aws] = inputs[key]
        if inputs.get("tags"):
            kwargs["Tags"] = dict(inputs["tags"])
        live = ctx.client("lambda").create_event_source_mapping(**kwargs)
        return live["UUID"], self._outputs(inputs, live)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            live = ctx.client("lambda").get_event_source_mapping(UUID=id_)
        except ClientError as exc:
            if not_found(exc):
                return None
            raise
        out = dict(inputs)
        for key in self.SETTINGS:
            aws = self.KEYS.get(key, key[:1].upper() + key[1:])
            if inputs.get(key) is not None and aws in live:
                value = camel_keys(live[aws], self.KEYS)
                out[key] = inputs[key] if covers(value, inputs[key]) else value
        return out

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        live = ctx.client("lambda").update_event_source_mapping(
            UUID=id_, FunctionName=new["functionName"], **self._settings(new)
        )
        return self._outputs(new, live)

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("lambda").delete_event_source_mapping(UUID=id_)
        except ClientError as exc:
            if not not_found(exc):
                raise


ADAPTERS: list[type[Adapter]] = [Function, Alias, Permission, EventSourceMapping]
