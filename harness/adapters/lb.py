"""Elastic Load Balancing v2 (pulumi-aws ``lb``, also spelled ``alb``): load balancers,
target groups and listeners. moto stores them and answers a DNS name; it routes nothing.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from harness.adapters.base import Adapter, Context, not_found, pascal_keys, tags_list

_GONE = ("LoadBalancerNotFound", "TargetGroupNotFound", "ListenerNotFound")


def _sync_tags(elb: Any, arn: str, old: dict[str, Any], new: dict[str, Any]) -> None:
    old_tags, new_tags = dict(old.get("tags") or {}), dict(new.get("tags") or {})
    if removed := [k for k in old_tags if k not in new_tags]:
        elb.remove_tags(ResourceArns=[arn], TagKeys=removed)
    if new_tags and new_tags != old_tags:
        elb.add_tags(ResourceArns=[arn], Tags=tags_list(new_tags))


def _suffix(arn: str, kind: str) -> str:
    return arn.split(f":{kind}/", 1)[-1] if arn else ""


# LoadBalancer input -> load balancer attribute key
LB_ATTRIBUTES = {
    "idleTimeout": "idle_timeout.timeout_seconds",
    "enableDeletionProtection": "deletion_protection.enabled",
    "enableHttp2": "routing.http2.enabled",
    "dropInvalidHeaderFields": "routing.http.drop_invalid_header_fields.enabled",
    "enableCrossZoneLoadBalancing": "load_balancing.cross_zone.enabled",
}


def _attribute_value(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class LoadBalancer(Adapter):
    type_token = "aws:lb/loadBalancer:LoadBalancer"
    aliases = ("aws:alb/loadBalancer:LoadBalancer",)
    replace_on = frozenset({"name", "namePrefix", "internal", "loadBalancerType"})
    autoname = ("name", 32)
    handles = frozenset(
        {"name", "namePrefix", "subnets", "securityGroups", "internal", "loadBalancerType",
         "ipAddressType", "tags", *LB_ATTRIBUTES}
    )  # fmt: skip

    def _outputs(self, inputs: dict[str, Any], lb: dict[str, Any]) -> dict[str, Any]:
        arn = lb.get("LoadBalancerArn", "")
        return {
            **inputs,
            "arn": arn,
            "arnSuffix": _suffix(arn, "loadbalancer"),
            "dnsName": lb.get("DNSName", ""),
            "zoneId": lb.get("CanonicalHostedZoneId", ""),
            "vpcId": lb.get("VpcId", ""),
            "loadBalancerType": inputs.get("loadBalancerType") or "application",
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return {**inputs, "tagsAll": dict(inputs.get("tags") or {})}

    def _attributes(self, ctx: Context, arn: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        changed = [
            {"Key": aws, "Value": _attribute_value(new[key])}
            for key, aws in LB_ATTRIBUTES.items()
            if new.get(key) is not None and new.get(key) != old.get(key)
        ]
        if changed:
            ctx.client("elbv2").modify_load_balancer_attributes(
                LoadBalancerArn=arn, Attributes=changed
            )

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "Name": inputs["name"],
            "Scheme": "internal" if inputs.get("internal") else "internet-facing",
            "Type": inputs.get("loadBalancerType") or "application",
        }
        if inputs.get("subnets"):
            kwargs["Subnets"] = list(inputs["subnets"])
        if inputs.get("securityGroups"):
            kwargs["SecurityGroups"] = list(inputs["securityGroups"])
        if inputs.get("ipAddressType"):
            kwargs["IpAddressType"] = inputs["ipAddressType"]
        if inputs.get("tags"):
            kwargs["Tags"] = tags_list(inputs["tags"])
        lb = ctx.client("elbv2").create_load_balancer(**kwargs)["LoadBalancers"][0]
        self._attributes(ctx, lb["LoadBalancerArn"], {}, inputs)
        return lb["LoadBalancerArn"], self._outputs(inputs, lb)

    def _describe(self, ctx: Context, id_: str) -> dict[str, Any] | None:
        try:
            found = ctx.client("elbv2").describe_load_balancers(LoadBalancerArns=[id_])
        except ClientError as exc:
            if not_found(exc, *_GONE):
                return None
            raise
        return found["LoadBalancers"][0] if found["LoadBalancers"] else None

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        lb = self._describe(ctx, id_)
        if lb is None:
            return None
        live = dict(inputs)
        if inputs.get("securityGroups") is not None:
            groups = list(lb.get("SecurityGroups") or [])
            same = sorted(groups) == sorted(inputs["securityGroups"])
            live["securityGroups"] = inputs["securityGroups"] if same else groups
        attrs = {
            a["Key"]: a["Value"]
            for a in ctx.client("elbv2").describe_load_balancer_attributes(LoadBalancerArn=id_)[
                "Attributes"
            ]
        }
        for key, aws in LB_ATTRIBUTES.items():
            if inputs.get(key) is not None and aws in attrs:
                same = attrs[aws] == _attribute_value(inputs[key])
                live[key] = inputs[key] if same else attrs[aws]
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        elb = ctx.client("elbv2")
        if sorted(old.get("securityGroups") or []) != sorted(new.get("securityGroups") or []):
            elb.set_security_groups(
                LoadBalancerArn=id_, SecurityGroups=list(new.get("securityGroups") or [])
            )
        if sorted(old.get("subnets") or []) != sorted(new.get("subnets") or []):
            elb.set_subnets(LoadBalancerArn=id_, Subnets=list(new.get("subnets") or []))
        if old.get("ipAddressType") != new.get("ipAddressType") and new.get("ipAddressType"):
            elb.set_ip_address_type(LoadBalancerArn=id_, IpAddressType=new["ipAddressType"])
        self._attributes(ctx, id_, old, new)
        _sync_tags(elb, id_, old, new)
        return self._outputs(new, self._describe(ctx, id_) or {"LoadBalancerArn": id_})

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("elbv2").delete_load_balancer(LoadBalancerArn=id_)
        except ClientError as exc:
            if not not_found(exc, *_GONE):
                raise


# TargetGroup healthCheck block key -> CreateTargetGroup parameter
HEALTH_CHECK = {
    "enabled": "HealthCheckEnabled",
    "path": "HealthCheckPath",
    "port": "HealthCheckPort",
    "protocol": "HealthCheckProtocol",
    "interval": "HealthCheckIntervalSeconds",
    "timeout": "HealthCheckTimeoutSeconds",
    "healthyThreshold": "HealthyThresholdCount",
    "unhealthyThreshold": "UnhealthyThresholdCount",
}
_HC_INTEGERS = {"interval", "timeout", "healthyThreshold", "unhealthyThreshold"}


def _health_check(inputs: dict[str, Any]) -> dict[str, Any]:
    block = inputs.get("healthCheck") or {}
    out: dict[str, Any] = {}
    for key, api in HEALTH_CHECK.items():
        if block.get(key) is not None:
            value = block[key]
            out[api] = (
                int(value) if key in _HC_INTEGERS else (str(value) if key == "port" else value)
            )
    if block.get("matcher"):
        out["Matcher"] = {"HttpCode": block["matcher"]}
    return out


class TargetGroup(Adapter):
    type_token = "aws:lb/targetGroup:TargetGroup"
    aliases = ("aws:alb/targetGroup:TargetGroup",)
    replace_on = frozenset({"name", "namePrefix", "port", "protocol", "vpcId", "targetType",
                            "protocolVersion"})  # fmt: skip
    autoname = ("name", 32)
    handles = frozenset(
        {"name", "namePrefix", "port", "protocol", "vpcId", "targetType", "protocolVersion",
         "healthCheck", "deregistrationDelay", "tags"}
    )  # fmt: skip

    def _outputs(self, inputs: dict[str, Any], arn: str) -> dict[str, Any]:
        return {
            **inputs,
            "arn": arn,
            "arnSuffix": _suffix(arn, "targetgroup")
            and f"targetgroup/{_suffix(arn, 'targetgroup')}",
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return {**inputs, "tagsAll": dict(inputs.get("tags") or {})}

    def _delay(self, ctx: Context, arn: str, inputs: dict[str, Any]) -> None:
        if inputs.get("deregistrationDelay") is not None:
            ctx.client("elbv2").modify_target_group_attributes(
                TargetGroupArn=arn,
                Attributes=[
                    {
                        "Key": "deregistration_delay.timeout_seconds",
                        "Value": _attribute_value(inputs["deregistrationDelay"]),
                    }
                ],
            )

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {"Name": inputs["name"], **_health_check(inputs)}
        if inputs.get("port") is not None:
            kwargs["Port"] = int(inputs["port"])
        for key, api in (
            ("protocol", "Protocol"),
            ("vpcId", "VpcId"),
            ("targetType", "TargetType"),
            ("protocolVersion", "ProtocolVersion"),
        ):
            if inputs.get(key):
                kwargs[api] = inputs[key]
        if inputs.get("tags"):
            kwargs["Tags"] = tags_list(inputs["tags"])
        tg = ctx.client("elbv2").create_target_group(**kwargs)["TargetGroups"][0]
        self._delay(ctx, tg["TargetGroupArn"], inputs)
        return tg["TargetGroupArn"], self._outputs(inputs, tg["TargetGroupArn"])

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            found = ctx.client("elbv2").describe_target_groups(TargetGroupArns=[id_])
        except ClientError as exc:
            if not_found(exc, *_GONE):
                return None
            raise
        if not found["TargetGroups"]:
            return None
        tg = found["TargetGroups"][0]
        live = dict(inputs)
        if inputs.get("healthCheck"):
            wanted = _health_check(inputs)
            same = all(str(tg.get(k)) == str(v) for k, v in wanted.items() if k != "Matcher")
            if not same:
                live["healthCheck"] = {
                    key: tg.get(api) for key, api in HEALTH_CHECK.items() if api in tg
                }
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        elb = ctx.client("elbv2")
        if new.get("healthCheck") and new.get("healthCheck") != old.get("healthCheck"):
            elb.modify_target_group(TargetGroupArn=id_, **_health_check(new))
        if old.get("deregistrationDelay") != new.get("deregistrationDelay"):
            self._delay(ctx, id_, new)
        _sync_tags(elb, id_, old, new)
        return self._outputs(new, id_)

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("elbv2").delete_target_group(TargetGroupArn=id_)
        except ClientError as exc:
            if not not_found(exc, *_GONE):
                raise


# Listener action block key -> the API's, where the name differs
ACTION_KEYS = {"fixedResponse": "FixedResponseConfig", "redirect": "RedirectConfig",
               "forward": "ForwardConfig", "arn": "TargetGroupArn"}  # fmt: skip


def _actions(inputs: dict[str, Any]) -> list[dict[str, Any]]:
    actions = []
    for i, block in enumerate(inputs.get("defaultActions") or []):
        action = pascal_keys(block, ACTION_KEYS)
        action.setdefault("Order", i + 1)
        actions.append(action)
    return actions


class Listener(Adapter):
    type_token = "aws:lb/listener:Listener"
    aliases = ("aws:alb/listener:Listener",)
    replace_on = frozenset({"loadBalancerArn"})
    handles = frozenset(
        {"loadBalancerArn", "port", "protocol", "defaultActions", "certificateArn", "sslPolicy",
         "alpnPolicy", "tags"}
    )  # fmt: skip

    def _settings(self, inputs: dict[str, Any]) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"DefaultActions": _actions(inputs)}
        if inputs.get("port") is not None:
            kwargs["Port"] = int(inputs["port"])
        if inputs.get("protocol"):
            kwargs["Protocol"] = inputs["protocol"]
        if inputs.get("certificateArn"):
            kwargs["Certificates"] = [{"CertificateArn": inputs["certificateArn"]}]
        if inputs.get("sslPolicy"):
            kwargs["SslPolicy"] = inputs["sslPolicy"]
        if inputs.get("alpnPolicy"):
            kwargs["AlpnPolicy"] = [inputs["alpnPolicy"]]
        return kwargs

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs = {"LoadBalancerArn": inputs["loadBalancerArn"], **self._settings(inputs)}
        if inputs.get("tags"):
            kwargs["Tags"] = tags_list(inputs["tags"])
        listener = ctx.client("elbv2").create_listener(**kwargs)["Listeners"][0]
        arn = listener["ListenerArn"]
        return arn, {**inputs, "arn": arn, "tagsAll": dict(inputs.get("tags") or {})}

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            found = ctx.client("elbv2").describe_listeners(ListenerArns=[id_])["Listeners"]
        except ClientError as exc:
            if not_found(exc, *_GONE):
                return None
            raise
        if not found:
            return None
        live = dict(inputs)
        if inputs.get("port") is not None:
            live["port"] = type(inputs["port"])(found[0].get("Port", 0))
        kinds = [a.get("Type") for a in found[0].get("DefaultActions", [])]
        if kinds != [a.get("type") for a in inputs.get("defaultActions") or []]:
            live["defaultActions"] = [{"type": k} for k in kinds]
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        elb = ctx.client("elbv2")
        elb.modify_listener(ListenerArn=id_, **self._settings(new))
        _sync_tags(elb, id_, old, new)
        return {**new, "arn": id_, "tagsAll": dict(new.get("tags") or {})}

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("elbv2").delete_listener(ListenerArn=id_)
        except ClientError as exc:
            if not not_found(exc, *_GONE):
                raise


ADAPTERS: list[type[Adapter]] = [LoadBalancer, TargetGroup, Listener]
