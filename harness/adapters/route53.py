"""Route 53: hosted zones, record sets and health checks. Route 53 is global; the
provider's region does not matter (moto keeps one backend per partition).

What is modeled beyond moto, as Route 53 does it (moto stores records as sent):

- a failover group holds at most one PRIMARY and one SECONDARY record per name and
  type: Route 53 rejects a second PRIMARY (or SECONDARY) with InvalidChangeBatch;
- the provider's own validation: ``aliases`` conflicts with ``ttl``/``records``, a
  routing policy needs a ``set_identifier`` and a ``set_identifier`` needs a policy,
  CLOUDWATCH_METRIC health checks need an alarm name and region.

What Route 53 then does with the records (answer DNS, evaluate health) is not
emulated anywhere: ``harness.drills.route53_failover`` resolves names from the stored
records and health-check state.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

from botocore.exceptions import ClientError

from harness.adapters.base import Adapter, Context, keep_shape, not_found

# Serializes "is there already a PRIMARY for this name?" with the change that adds one:
# the engine registers resources from several threads, and Route 53 checks this
# atomically inside one ChangeResourceRecordSets call.
_RECORD_CHANGES = threading.Lock()
DEFAULT_ZONE_COMMENT = "Managed by Pulumi"


def _dot(name: str) -> str:
    return name if name.endswith(".") else f"{name}."


def _bare(name: str) -> str:
    return name.rstrip(".").lower()


def _sync_tags(ctx: Context, kind: str, id_: str, old: Any, new: Any) -> None:
    old, new = old or {}, new or {}
    if old == new:
        return
    kwargs: dict[str, Any] = {"ResourceType": kind, "ResourceId": id_}
    removed = [k for k in old if k not in new]
    if removed:
        kwargs["RemoveTagKeys"] = removed
    if new:
        kwargs["AddTags"] = [{"Key": k, "Value": v} for k, v in new.items()]
    ctx.client("route53").change_tags_for_resource(**kwargs)


def _live_tags(ctx: Context, kind: str, id_: str) -> dict[str, str]:
    tags = ctx.client("route53").list_tags_for_resource(ResourceType=kind, ResourceId=id_)
    return {t["Key"]: t["Value"] for t in tags.get("ResourceTagSet", {}).get("Tags", [])}


def _rejected(operation: str, message: str) -> ClientError:
    return ClientError({"Error": {"Code": "InvalidChangeBatch", "Message": message}}, operation)


class Zone(Adapter):
    type_token = "aws:route53/zone:Zone"
    replace_on = frozenset({"name", "delegationSetId"})
    handles = frozenset({"name", "comment", "delegationSetId", "tags", "forceDestroy"})

    def check(self, ctx: Context, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        out = dict(inputs)
        if out.get("vpcs"):
            raise ValueError("private hosted zones (vpcs) are not modeled by the local engine")
        if not out.get("comment"):
            out["comment"] = DEFAULT_ZONE_COMMENT  # the provider's default
        return out

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        # Route 53 picks the zone id and name servers: unknown until the zone exists.
        return {**inputs, "tagsAll": dict(inputs.get("tags") or {})}

    def _outputs(self, ctx: Context, inputs: dict[str, Any], zone_id: str, ns: list) -> dict:
        return {
            **inputs,
            "zoneId": zone_id,
            "arn": f"arn:{ctx.partition}:route53:::hostedzone/{zone_id}",
            "nameServers": list(ns),
            "primaryNameServer": ns[0] if ns else "",
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "Name": inputs["name"],
            "CallerReference": str(uuid.uuid4()),
            "HostedZoneConfig": {"Comment": inputs.get("comment", "")},
        }
        if inputs.get("delegationSetId"):
            kwargs["DelegationSetId"] = inputs["delegationSetId"]
        created = ctx.client("route53").create_hosted_zone(**kwargs)
        zone_id = created["HostedZone"]["Id"].rsplit("/", 1)[-1]
        _sync_tags(ctx, "hostedzone", zone_id, {}, inputs.get("tags"))
        ns = created.get("DelegationSet", {}).get("NameServers", [])
        return zone_id, self._outputs(ctx, inputs, zone_id, ns)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            zone = ctx.client("route53").get_hosted_zone(Id=id_)
        except ClientError as exc:
            if not_found(exc, "NoSuchHostedZone"):
                return None
            raise
        live = dict(inputs)
        if "name" in inputs:
            same = _bare(zone["HostedZone"]["Name"]) == _bare(inputs["name"])
            live["name"] = inputs["name"] if same else _bare(zone["HostedZone"]["Name"])
        if "comment" in inputs:
            live["comment"] = zone["HostedZone"].get("Config", {}).get("Comment", "")
        tags = _live_tags(ctx, "hostedzone", id_)
        if tags or "tags" in inputs:
            live["tags"] = tags
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        r53 = ctx.client("route53")
        if old.get("comment") != new.get("comment"):
            r53.update_hosted_zone_comment(Id=id_, Comment=new.get("comment") or "")
        _sync_tags(ctx, "hostedzone", id_, old.get("tags"), new.get("tags"))
        ns = r53.get_hosted_zone(Id=id_).get("DelegationSet", {}).get("NameServers", [])
        return self._outputs(ctx, new, id_, ns)

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        r53 = ctx.client("route53")
        try:
            if inputs.get("forceDestroy") or ctx.purge:
                apex = _bare(inputs.get("name", ""))
                doomed = [
                    rr
                    for page in r53.get_paginator("list_resource_record_sets").paginate(
                        HostedZoneId=id_
                    )
                    for rr in page["ResourceRecordSets"]
                    if not (rr["Type"] in ("NS", "SOA") and _bare(rr["Name"]) == apex)
                ]
                for rr in doomed:
                    r53.change_resource_record_sets(
                        HostedZoneId=id_,
                        ChangeBatch={"Changes": [{"Action": "DELETE", "ResourceRecordSet": rr}]},
                    )
            r53.delete_hosted_zone(Id=id_)
        except ClientError as exc:
            if not not_found(exc, "NoSuchHostedZone"):
                raise


ROUTING_POLICIES = (
    "failoverRoutingPolicies",
    "weightedRoutingPolicies",
    "latencyRoutingPolicies",
    "geolocationRoutingPolicies",
    "geoproximityRoutingPolicy",
    "cidrRoutingPolicy",
    "multivalueAnswerRoutingPolicy",
)


class Record(Adapter):
    """One record set; id = ``<zone>_<name>_<type>[_<set identifier>]`` as the provider's."""

    type_token = "aws:route53/record:Record"
    replace_on = frozenset({"zoneId", "name", "type", "setIdentifier"})
    unreadable = frozenset({"allowOverwrite"})
    handles = frozenset(
        {
            "zoneId",
            "name",
            "type",
            "ttl",
            "records",
            "aliases",
            "setIdentifier",
            "healthCheckId",
            "failoverRoutingPolicies",
            "weightedRoutingPolicies",
            "latencyRoutingPolicies",
            "allowOverwrite",
        }
    )

    def check(self, ctx: Context, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        out = dict(inputs)
        alias = out.get("aliases") or []
        if alias and (out.get("ttl") is not None or out.get("records")):
            raise ValueError('"aliases": conflicts with ttl and records')
        if not alias and not out.get("records"):
            raise ValueError('one of "records" or "aliases" must be specified')
        if not alias and out.get("ttl") is None:
            raise ValueError('"ttl": required field is not set (records without an alias)')
        policies = [p for p in ROUTING_POLICIES if out.get(p)]
        if len(policies) > 1:
            raise ValueError(f"routing policies conflict with each other: {policies}")
        if policies and not out.get("setIdentifier"):
            raise ValueError(f'"set_identifier": required with {policies[0]}')
        if out.get("setIdentifier") and not policies:
            raise ValueError('"set_identifier": only valid together with a routing policy')
        for p in ("failoverRoutingPolicies", "weightedRoutingPolicies", "latencyRoutingPolicies"):
            if len(out.get(p) or []) > 1:
                raise ValueError(f'"{p}": at most one block')
        unsupported = set(policies) - {
            "failoverRoutingPolicies",
            "weightedRoutingPolicies",
            "latencyRoutingPolicies",
        }
        if unsupported:
            raise ValueError(f"{sorted(unsupported)} are not modeled by the local engine")
        return out

    @staticmethod
    def _id(inputs: dict[str, Any]) -> str:
        parts = [inputs["zoneId"], str(inputs["name"]).lower(), inputs["type"]]
        if inputs.get("setIdentifier"):
            parts.append(inputs["setIdentifier"])
        return "_".join(parts)

    @staticmethod
    def _fqdn(ctx: Context, inputs: dict[str, Any]) -> str:
        """The provider appends the zone's name to a relative record name."""
        zone = ctx.client("route53").get_hosted_zone(Id=inputs["zoneId"])["HostedZone"]
        zone_name, name = _bare(zone["Name"]), _bare(inputs["name"])
        if name == zone_name or name.endswith(f".{zone_name}"):
            return name
        return f"{name}.{zone_name}"

    @staticmethod
    def _rrset(inputs: dict[str, Any], fqdn: str) -> dict[str, Any]:
        rr: dict[str, Any] = {"Name": _dot(fqdn), "Type": inputs["type"]}
        if inputs.get("setIdentifier"):
            rr["SetIdentifier"] = inputs["setIdentifier"]
        if inputs.get("aliases"):
            alias = inputs["aliases"][0]
            rr["AliasTarget"] = {
                "HostedZoneId": alias["zoneId"],
                "DNSName": alias["name"],
                "EvaluateTargetHealth": bool(alias.get("evaluateTargetHealth")),
            }
        else:
            rr["TTL"] = int(inputs["ttl"])
            rr["ResourceRecords"] = [{"Value": v} for v in inputs["records"]]
        if inputs.get("healthCheckId"):
            rr["HealthCheckId"] = inputs["healthCheckId"]
        if inputs.get("failoverRoutingPolicies"):
            rr["Failover"] = inputs["failoverRoutingPolicies"][0]["type"]
        if inputs.get("weightedRoutingPolicies"):
            rr["Weight"] = int(inputs["weightedRoutingPolicies"][0]["weight"])
        if inputs.get("latencyRoutingPolicies"):
            rr["Region"] = inputs["latencyRoutingPolicies"][0]["region"]
        return rr

    @staticmethod
    def _find(ctx: Context, zone_id: str, fqdn: str, type_: str) -> list[dict[str, Any]]:
        pages = ctx.client("route53").get_paginator("list_resource_record_sets")
        return [
            rr
            for page in pages.paginate(HostedZoneId=zone_id)
            for rr in page["ResourceRecordSets"]
            if _bare(rr["Name"]) == _bare(fqdn) and rr["Type"] == type_
        ]

    def _change(self, ctx: Context, inputs: dict[str, Any], action: str) -> str:
        fqdn = self._fqdn(ctx, inputs)
        rr = self._rrset(inputs, fqdn)
        with _RECORD_CHANGES:
            if rr.get("Failover"):
                for other in self._find(ctx, inputs["zoneId"], fqdn, inputs["type"]):
                    if other.get("SetIdentifier") == rr.get("SetIdentifier"):
                        continue
                    if other.get("Failover") == rr["Failover"]:
                        raise _rejected(
                            "ChangeResourceRecordSets",
                            f"RRSet with DNS name {rr['Name']}, type {rr['Type']} and "
                            f"failover {rr['Failover']} cannot be created: the record "
                            f"{other.get('SetIdentifier')!r} already is the {rr['Failover']} "
                            "of this name and type (a failover group has one PRIMARY and "
                            "one SECONDARY)",
                        )
            ctx.client("route53").change_resource_record_sets(
                HostedZoneId=inputs["zoneId"],
                ChangeBatch={"Changes": [{"Action": action, "ResourceRecordSet": rr}]},
            )
        return fqdn

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return dict(inputs)

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        action = "UPSERT" if inputs.get("allowOverwrite") else "CREATE"
        fqdn = self._change(ctx, inputs, action)
        return self._id(inputs), {**inputs, "fqdn": fqdn}

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            fqdn = self._fqdn(ctx, inputs)
            found = [
                rr
                for rr in self._find(ctx, inputs["zoneId"], fqdn, inputs["type"])
                if rr.get("SetIdentifier") == (inputs.get("setIdentifier") or None)
            ]
        except ClientError as exc:
            if not_found(exc, "NoSuchHostedZone"):
                return None
            raise
        if not found:
            return None
        rr = found[0]
        live = dict(inputs)
        if "ttl" in inputs or "TTL" in rr:
            ttl = rr.get("TTL")
            # The SDK sends numbers as floats: report 60 as the program's 60.0.
            live["ttl"] = type(inputs["ttl"])(ttl) if ttl is not None and "ttl" in inputs else ttl
        values = [r["Value"] for r in rr.get("ResourceRecords", [])]
        if "records" in inputs or values:
            wanted = list(inputs.get("records") or [])
            live["records"] = wanted if sorted(values) == sorted(wanted) else values
        live["healthCheckId"] = keep_shape(rr.get("HealthCheckId"), inputs.get("healthCheckId"))
        if "failoverRoutingPolicies" in inputs or rr.get("Failover"):
            live["failoverRoutingPolicies"] = (
                [{"type": rr["Failover"]}] if rr.get("Failover") else []
            )
        if "weightedRoutingPolicies" in inputs or "Weight" in rr:
            wanted = (inputs.get("weightedRoutingPolicies") or [{}])[0].get("weight")
            weight = rr.get("Weight")
            if isinstance(wanted, float) and weight is not None:
                weight = float(weight)
            live["weightedRoutingPolicies"] = [{"weight": weight}] if "Weight" in rr else []
        if "latencyRoutingPolicies" in inputs or rr.get("Region"):
            live["latencyRoutingPolicies"] = [{"region": rr["Region"]}] if rr.get("Region") else []
        target = rr.get("AliasTarget")
        if "aliases" in inputs or target:
            aliases = []
            if target:
                wanted = (inputs.get("aliases") or [{}])[0]
                name = target["DNSName"]
                aliases.append(
                    {
                        "name": wanted.get("name")
                        if _bare(str(wanted.get("name", ""))) == _bare(name)
                        else _bare(name),
                        "zoneId": target["HostedZoneId"],
                        "evaluateTargetHealth": bool(target.get("EvaluateTargetHealth")),
                    }
                )
            live["aliases"] = aliases
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        fqdn = self._change(ctx, new, "UPSERT")
        return {**new, "fqdn": fqdn}

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            fqdn = self._fqdn(ctx, inputs)
            live = [
                rr
                for rr in self._find(ctx, inputs["zoneId"], fqdn, inputs["type"])
                if rr.get("SetIdentifier") == (inputs.get("setIdentifier") or None)
            ]
            for rr in live:  # DELETE must repeat the record set exactly as stored
                ctx.client("route53").change_resource_record_sets(
                    HostedZoneId=inputs["zoneId"],
                    ChangeBatch={"Changes": [{"Action": "DELETE", "ResourceRecordSet": rr}]},
                )
        except ClientError as exc:
            if not not_found(exc, "NoSuchHostedZone", "InvalidChangeBatch"):
                raise


# pulumi input -> HealthCheckConfig key
HEALTH_CHECK_FIELDS = {
    "type": "Type",
    "ipAddress": "IPAddress",
    "port": "Port",
    "resourcePath": "ResourcePath",
    "fqdn": "FullyQualifiedDomainName",
    "searchString": "SearchString",
    "requestInterval": "RequestInterval",
    "failureThreshold": "FailureThreshold",
    "measureLatency": "MeasureLatency",
    "invertHealthcheck": "Inverted",
    "disabled": "Disabled",
    "enableSni": "EnableSNI",
    "regions": "Regions",
    "childHealthchecks": "ChildHealthChecks",
    "childHealthThreshold": "HealthThreshold",
    "insufficientDataHealthStatus": "InsufficientDataHealthStatus",
    "routingControlArn": "RoutingControlArn",
}
HEALTH_CHECK_INTEGERS = frozenset(
    {"port", "requestInterval", "failureThreshold", "childHealthThreshold"}
)
# What UpdateHealthCheck accepts (the rest forces a new health check).
HEALTH_CHECK_UPDATABLE = frozenset(
    {
        "ipAddress",
        "port",
        "resourcePath",
        "fqdn",
        "searchString",
        "failureThreshold",
        "invertHealthcheck",
        "disabled",
        "enableSni",
        "regions",
        "childHealthchecks",
        "childHealthThreshold",
        "insufficientDataHealthStatus",
        "cloudwatchAlarmName",
        "cloudwatchAlarmRegion",
    }
)


class HealthCheck(Adapter):
    """A health check. Its status is not evaluated by moto (always "Success");
    ``harness.drills.route53_failover`` decides health from what the check watches.
    """

    type_token = "aws:route53/healthCheck:HealthCheck"
    replace_on = frozenset(
        {"type", "requestInterval", "measureLatency", "referenceName", "routingControlArn"}
    )
    unreadable = frozenset({"referenceName", "triggers"})
    handles = frozenset(
        {"cloudwatchAlarmName", "cloudwatchAlarmRegion", "tags", *HEALTH_CHECK_FIELDS}
    )

    def check(self, ctx: Context, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        out = dict(inputs)
        kind = out.get("type")
        if kind == "CLOUDWATCH_METRIC" and not (
            out.get("cloudwatchAlarmName") and out.get("cloudwatchAlarmRegion")
        ):
            raise ValueError(
                "CLOUDWATCH_METRIC health checks need cloudwatch_alarm_name and "
                "cloudwatch_alarm_region"
            )
        if kind in ("HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH", "TCP") and not (
            out.get("fqdn") or out.get("ipAddress")
        ):
            raise ValueError(f"{kind} health checks need fqdn or ip_address")
        if kind == "CALCULATED" and not out.get("childHealthchecks"):
            raise ValueError("CALCULATED health checks need child_healthchecks")
        return out

    def _config(self, inputs: dict[str, Any], for_update: bool = False) -> dict[str, Any]:
        config: dict[str, Any] = {}
        for key, aws in HEALTH_CHECK_FIELDS.items():
            if for_update and key not in HEALTH_CHECK_UPDATABLE:
                continue
            value = inputs.get(key)
            if value is None or value == [] or value == "":
                continue
            config[aws] = int(value) if key in HEALTH_CHECK_INTEGERS else value
        if inputs.get("cloudwatchAlarmName"):
            config["AlarmIdentifier"] = {
                "Name": inputs["cloudwatchAlarmName"],
                "Region": inputs["cloudwatchAlarmRegion"],
            }
        return config

    def _outputs(self, ctx: Context, inputs: dict[str, Any], id_: str) -> dict[str, Any]:
        return {
            **inputs,
            "arn": f"arn:{ctx.partition}:route53:::healthcheck/{id_}",
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return {**inputs, "tagsAll": dict(inputs.get("tags") or {})}  # the id is Route 53's

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        hc = ctx.client("route53").create_health_check(
            CallerReference=str(uuid.uuid4()), HealthCheckConfig=self._config(inputs)
        )["HealthCheck"]
        _sync_tags(ctx, "healthcheck", hc["Id"], {}, inputs.get("tags"))
        return hc["Id"], self._outputs(ctx, inputs, hc["Id"])

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            hc = ctx.client("route53").get_health_check(HealthCheckId=id_)["HealthCheck"]
        except ClientError as exc:
            if not_found(exc, "NoSuchHealthCheck"):
                return None
            raise
        config = hc.get("HealthCheckConfig", {})
        live = dict(inputs)
        for key, aws in HEALTH_CHECK_FIELDS.items():
            if key in inputs and inputs[key] is not None:
                value = config.get(aws)
                if key in HEALTH_CHECK_INTEGERS and value is not None:
                    value = type(inputs[key])(value)
                live[key] = keep_shape(value, inputs[key])
        alarm = config.get("AlarmIdentifier") or {}
        if "cloudwatchAlarmName" in inputs or alarm:
            live["cloudwatchAlarmName"] = alarm.get("Name")
            live["cloudwatchAlarmRegion"] = alarm.get("Region")
        tags = _live_tags(ctx, "healthcheck", id_)
        if tags or "tags" in inputs:
            live["tags"] = tags
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        config = self._config(new, for_update=True)
        # UpdateHealthCheck takes the config's fields at the top level.
        if "InsufficientDataHealthStatus" not in config and old.get("insufficientDataHealthStatus"):
            config["InsufficientDataHealthStatus"] = "LastKnownStatus"  # the AWS default
        ctx.client("route53").update_health_check(HealthCheckId=id_, **config)
        _sync_tags(ctx, "healthcheck", id_, old.get("tags"), new.get("tags"))
        return self._outputs(ctx, new, id_)

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("route53").delete_health_check(HealthCheckId=id_)
        except ClientError as exc:
            if not not_found(exc, "NoSuchHealthCheck"):
                raise


ADAPTERS: list[type[Adapter]] = [Zone, Record, HealthCheck]
