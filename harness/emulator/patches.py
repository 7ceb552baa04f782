"""Corrections to moto, applied inside the embedded moto server.

Each patch models one documented AWS behaviour that moto 5.2.x gets wrong or does
not implement: patches 1-3 and 9 change only how a request is *authorized*; the
others make a service answer or keep what AWS would (replication filters, CodeDeploy
updates, alarm-backed health checks, replica keys, EventBridge-to-SNS delivery).
They are tested in tests/test_emulator_patches.py and the drill tests.

1. Trust policies naming only a service or federated principal: moto raises a
   TypeError (HTTP 500) when an IAM caller tries to assume such a role. AWS denies
   the call (the caller is not a named principal). Modeled: no match -> denied.
2. Trust policies naming an account (``arn:aws:iam::ACCOUNT:root`` or the bare
   account id): AWS lets any principal of that account whose identity policy
   allows sts:AssumeRole assume the role. moto compares strings only and denies.
3. Permissions boundaries: AWS allows a request only if the identity policies
   *and* the boundary allow it (an intersection). moto ignores boundaries.
4. GetBucketReplication: moto stores each rule as sent but answers with a fixed
   ``Filter: {Prefix: ""}`` and ``DeleteMarkerReplication: Disabled``. A rule's
   filter decides what S3 replicates, so it is returned as stored.
5. EventBridge rules with an SNS topic as target: moto delivers to SQS, Logs and
   event buses only, and answers every PutEvents that matches such a rule with HTTP
   500 (NotImplementedError). AWS publishes the event (as JSON; or the target's
   ``Input``/``InputPath``/``InputTransformer`` result) to the topic, whose
   subscribers (an SQS queue in the checks) receive it.
6. CodeDeploy: moto 5.2 implements create, get and list only. UpdateDeploymentGroup,
   DeleteDeploymentGroup and DeleteApplication answer HTTP 500 (so a stack could
   neither change nor tear down its deployment group), and GetDeploymentGroup answers
   an empty ``alarmConfiguration`` although the group stored it. The three calls are
   implemented on moto's own backend as AWS documents them (an omitted parameter of
   UpdateDeploymentGroup is left unchanged; deleting an application deletes its
   groups), and the alarm configuration is returned as stored. Deployment configs
   (Create/Get/Delete/ListDeploymentConfigs, also HTTP 500) are stored per region;
   GetDeploymentConfig also answers the predefined Lambda and ECS configs
   (``CodeDeployDefault.LambdaCanary10Percent5Minutes``, …) as AWS documents them.
7. Route 53 health checks of type CLOUDWATCH_METRIC: moto accepts the
   ``AlarmIdentifier`` and ``InsufficientDataHealthStatus`` but drops both, so
   GetHealthCheck cannot say which alarm a check watches. They are kept and returned
   as sent (the failover drill reads the alarm a health check follows).
8. Secrets Manager replicas: moto reports every replica's ``KmsKeyId`` as the default
   ``alias/aws/secretsmanager`` whatever key was asked for; the key sent is returned.
9. S3 replication requests: S3 replicates as the configuration's role and authorizes
   it for the replication actions (s3:GetObjectVersionForReplication on the source
   object, s3:ReplicateObject / s3:ReplicateDelete / s3:ReplicateTags on the
   destination, s3:GetReplicationConfiguration on the source bucket), which no API
   call of a client maps to. A request that carries the ``x-kata-s3-replication``
   header (only harness.drills.s3_replication sends it) is authorized as the
   replication action S3 would check instead of GetObject/PutObject/DeleteObject.
10. CloudWatch composite alarms: moto 5.2 has no PutCompositeAlarm (HTTP 500), so a
    program's ``aws.cloudwatch.CompositeAlarm`` could not be stored and no drill could
    read its rule. It is stored on moto's own alarm backend as AWS documents it
    (``AlarmRule``, the three action lists, ``ActionsEnabled``, ``ActionsSuppressor``
    with its wait and extension periods; a new composite starts INSUFFICIENT_DATA), so
    SetAlarmState, DeleteAlarms and tags work on it. DescribeAlarms honours
    ``AlarmTypes`` as AWS does: without it only metric alarms are returned, and a
    composite is described with its rule and suppressor fields.
11. IAM statements matched as AWS matches them: moto compared action names
    case-sensitively and turned the rest of a pattern into a regex (``?`` meant
    "optional", ``.`` any character), so ``SQS:ReceiveMessage`` was denied where AWS
    allows it; and a statement without ``Resource`` was taken for a trust policy and
    applied whatever its effect, so a ``NotResource`` guard-rail allowed everything.
    Action/NotAction match case-insensitively, Resource/NotResource case-sensitively,
    ``*`` any run and ``?`` one character, through harness.iam (the one place the
    harness keeps IAM's semantics). A request counts as made over HTTPS, as an AWS SDK's
    is (``aws:SecureTransport`` true): moto ignored Bool conditions, so a TLS-only
    bucket policy ("Deny when aws:SecureTransport is false") refused every request.
12. Object Lock on a bucket with objects: moto refused PutObjectLockConfiguration on any
    bucket holding an object ("Bucket needs to be empty"), even to set the default
    retention of a bucket created with Object Lock. S3 requires only versioning (and
    since 2023 enables Object Lock on existing buckets), so a correct program whose
    release objects happened to land before its lock configuration failed to deploy.
"""

from __future__ import annotations

import re
from typing import Any

_ACCOUNT_ROOT = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):root$")
_PRINCIPAL_ACCOUNT = re.compile(r"^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):")


def principal_matches(statement_principal: Any, caller_arn: str) -> bool:
    """Does an IAM caller (user or assumed-role session) match a Principal element?"""
    if not statement_principal:
        return True
    if statement_principal == "*":
        return True
    if not isinstance(statement_principal, dict):
        return False
    aws = statement_principal.get("AWS")
    if aws is None:
        return False  # only Service/Federated principals: no IAM caller is one of them
    names = [aws] if isinstance(aws, str) else list(aws)
    if "*" in names or caller_arn in names:
        return True
    caller_account = _PRINCIPAL_ACCOUNT.match(caller_arn)
    if caller_account is None:
        return False
    for name in names:
        root = _ACCOUNT_ROOT.match(name)
        if (root and root.group(1) == caller_account.group(1)) or name == caller_account.group(1):
            return True
    # A trust policy may name the role itself for an assumed-role session's role ARN.
    if ":assumed-role/" in caller_arn:
        account, rest = caller_account.group(1), caller_arn.split(":assumed-role/", 1)[1]
        role_name = rest.split("/", 1)[0]
        return any(n.endswith(f":{account}:role/{role_name}") for n in names)
    return False


_applied = False


def apply() -> None:
    # Once per process: a fork server (harness.sandbox.forkserver) applies them before
    # forking the emulator, whose main() applies them again; wrapping twice would, e.g.,
    # deliver a rule's event twice.
    global _applied
    if _applied:
        return
    _applied = True
    from moto.iam import access_control as ac

    def _check_principal(self: Any, principal: str) -> bool:
        return principal_matches(self._statement.get("Principal"), principal)

    ac.IAMPolicyStatement._check_principal = _check_principal

    original_check = ac.IAMRequestBase.check_action_permitted

    def check_action_permitted(self: Any, resource: str) -> None:
        original_check(self, resource)  # raises when identity policies do not allow it
        if self._action == "sts:GetCallerIdentity":
            return
        boundary = _boundary_policy(self)
        if boundary is None:
            return
        result = ac.IAMPolicy(boundary).is_action_permitted(self._action, resource)
        if result != ac.PermissionResult.PERMITTED:
            self._raise_access_denied()

    ac.IAMRequestBase.check_action_permitted = check_action_permitted
    _match_statements_as_aws_does()
    _return_stored_replication_rules()
    _deliver_rule_events_to_sns()
    _codedeploy_update_and_delete()
    _keep_health_check_alarms()
    _keep_secret_replica_keys()
    _authorize_s3_replication_actions()
    _store_composite_alarms()
    _describe_budget_subscribers()
    _object_lock_on_buckets_with_objects()
    _event_source_mappings_do_not_invoke()


def wildcard_matches(patterns: Any, value: str, ignore_case: bool = False) -> bool:
    """Does a policy element (a pattern or a list) match ``value``, with IAM's ``*`` and ``?``?

    ``ignore_case`` for actions (IAM compares them case-insensitively), not for ARNs.
    """
    from harness.iam.arn import arn_matches
    from harness.iam.catalog import action_matches

    match = action_matches if ignore_case else arn_matches
    return any(
        match(str(p), value) for p in ([patterns] if isinstance(patterns, str) else patterns or [])
    )


def _secure_transport_holds(condition: Any) -> bool:
    """Whether a Condition's tests of ``aws:SecureTransport`` hold for an SDK request.

    AWS SDKs call AWS over HTTPS, so AWS sees ``aws:SecureTransport`` true; the emulator
    serves plain HTTP and moto ignores every operator but StringEquals, so a bucket
    policy's usual "Deny when aws:SecureTransport is false" applied to every request.
    Only the tests of that key are judged here (through harness.iam); moto's own
    condition check still judges the rest.
    """
    from harness.iam.conditions import UnsupportedCondition, condition_holds

    if not isinstance(condition, dict):
        return True
    tests = {
        op: {k: v for k, v in block.items() if k.lower() == "aws:securetransport"}
        for op, block in condition.items()
        if isinstance(block, dict)
    }
    tests = {op: block for op, block in tests.items() if block}
    try:
        return condition_holds(tests, {"aws:SecureTransport": "true"})
    except UnsupportedCondition:
        return True


def _match_statements_as_aws_does() -> None:
    from moto.iam import access_control as ac

    def is_action_permitted(
        self: Any,
        action: str,
        resource: str = "*",
        principal: str | None = None,
        incoming_condition_values: dict[str, str] | None = None,
    ) -> Any:
        statement = self._statement
        if "NotAction" in statement:
            concerned = not wildcard_matches(statement["NotAction"], action, ignore_case=True)
        else:
            concerned = wildcard_matches(statement.get("Action"), action, ignore_case=True)
        if not concerned:
            return ac.PermissionResult.NEUTRAL
        if self.is_unknown_principal(statement.get("Principal")):
            return ac.PermissionResult.NEUTRAL
        if principal and not self._check_principal(principal):
            return ac.PermissionResult.DENIED
        if not _secure_transport_holds(statement.get("Condition")):
            return ac.PermissionResult.NEUTRAL  # a statement whose Condition fails does not apply
        if not self._check_conditions(incoming_condition_values):
            return ac.PermissionResult.DENIED
        if "NotResource" in statement:
            on_resource = not wildcard_matches(statement["NotResource"], resource)
        elif statement.get("Resource"):
            on_resource = wildcard_matches(statement["Resource"], resource)
        else:  # a trust policy: no resource element
            on_resource = True
        if not on_resource:
            return ac.PermissionResult.NEUTRAL
        if statement.get("Effect") == "Allow":
            return ac.PermissionResult.PERMITTED
        return ac.PermissionResult.DENIED

    ac.IAMPolicyStatement.is_action_permitted = is_action_permitted


def _deliver_rule_events_to_sns() -> None:
    import copy
    import json

    from moto.events.models import Rule
    from moto.events.utils import EventTemplateParser
    from moto.sns.models import sns_backends
    from moto.utilities.arns import parse_arn

    original = Rule.send_to_targets

    def send_to_targets(self: Any, original_event: Any, transform_input: bool = True) -> None:
        to_sns = [t for t in self.targets if parse_arn(t["Arn"]).service == "sns"]
        if to_sns and self.event_pattern.matches_event(original_event):
            for target in to_sns:
                arn = parse_arn(target["Arn"])
                sns_backends[arn.account][arn.region].publish(
                    message=sns_message(target, original_event, transform_input),
                    arn=target["Arn"],
                )
        rest = [t for t in self.targets if t not in to_sns]
        if rest:
            others = copy.copy(self)  # not self: another request may be reading its targets
            others.targets = rest
            original(others, original_event, transform_input)

    def sns_message(target: dict[str, Any], event: dict[str, Any], transform: bool) -> str:
        event = {k: v for k, v in event.items() if k != "ingestion-time"}
        if transform and target.get("Input"):
            return str(target["Input"])
        if transform and target.get("InputTransformer"):
            transformer = target["InputTransformer"]
            return json.dumps(
                EventTemplateParser.parse(
                    input_template=transformer.get("InputTemplate"),
                    input_paths_map=transformer.get("InputPathsMap", {}),
                    event={**event, "ingestion-time": 0},
                )
            )
        if transform and target.get("InputPath"):
            from jsonpath_ng.ext import parse

            found = parse(target["InputPath"]).find(event)  # type: ignore[no-untyped-call]
            return json.dumps(found[0].value if found else None)
        return json.dumps(event)

    Rule.send_to_targets = send_to_targets


def _return_stored_replication_rules() -> None:
    from moto.core.responses import ActionResult
    from moto.s3.exceptions import ReplicationConfigurationNotFoundError
    from moto.s3.responses import S3Response

    def get_bucket_replication(self: Any) -> Any:
        self.data["Action"] = "GetBucketReplication"
        replication = self.backend.get_bucket_replication(self.bucket_name)
        if not replication:
            raise ReplicationConfigurationNotFoundError(bucket_name=self.bucket_name)
        rules = []
        for rule in replication["Rule"]:
            out = {
                "ID": rule["ID"],
                "Priority": int(rule["Priority"]),
                "Status": rule["Status"],
                "Filter": rule.get("Filter") or {"Prefix": rule.get("Prefix") or ""},
                "DeleteMarkerReplication": rule.get("DeleteMarkerReplication")
                or {"Status": "Disabled"},
                "Destination": rule["Destination"],
            }
            if rule.get("SourceSelectionCriteria"):
                out["SourceSelectionCriteria"] = rule["SourceSelectionCriteria"]
            rules.append(out)
        result = {"ReplicationConfiguration": {"Role": replication["Role"], "Rules": rules}}
        return self.serialized(ActionResult(result))

    S3Response.get_bucket_replication = get_bucket_replication


def _codedeploy_update_and_delete() -> None:
    from moto.codedeploy import responses as cdr
    from moto.codedeploy.exceptions import DeploymentGroupAlreadyExistsException
    from moto.core.responses import ActionResult, EmptyResult

    original_info = cdr._deployment_group_info

    def deployment_group_info(group: Any) -> dict[str, Any]:
        info = original_info(group)
        alarms = group.alarm_configuration
        if isinstance(alarms, dict) and alarms:
            info["alarmConfiguration"] = alarms
        return info

    cdr._deployment_group_info = deployment_group_info

    # UpdateDeploymentGroup parameter -> moto's attribute; omitted means unchanged.
    updatable = {
        "deploymentConfigName": "deployment_config_name",
        "ec2TagFilters": "ec2_tag_filters",
        "onPremisesInstanceTagFilters": "on_premises_instance_tag_filters",
        "autoScalingGroups": "auto_scaling_groups",
        "serviceRoleArn": "service_role_arn",
        "triggerConfigurations": "trigger_configurations",
        "alarmConfiguration": "alarm_configuration",
        "autoRollbackConfiguration": "auto_rollback_configuration",
        "outdatedInstancesStrategy": "outdated_instances_strategy",
        "deploymentStyle": "deployment_style",
        "blueGreenDeploymentConfiguration": "blue_green_deployment_configuration",
        "loadBalancerInfo": "load_balancer_info",
        "ec2TagSet": "ec2_tag_set",
        "ecsServices": "ecs_services",
        "onPremisesTagSet": "on_premises_tag_set",
        "terminationHookEnabled": "termination_hook_enabled",
    }

    def update_deployment_group(self: Any) -> Any:
        backend = self.codedeploy_backend
        app = self._get_param("applicationName")
        name = self._get_param("currentDeploymentGroupName")
        group = backend.get_deployment_group(app, name)  # raises the AWS errors
        new_name = self._get_param("newDeploymentGroupName")
        if new_name and new_name != name:
            if new_name in backend.deployment_groups[app]:
                raise DeploymentGroupAlreadyExistsException(
                    f"Deployment group {new_name} already exists."
                )
            backend.deployment_groups[app][new_name] = backend.deployment_groups[app].pop(name)
            group.deployment_group_name = new_name
        for param, attr in updatable.items():
            value = self._get_param(param)
            if value is not None:
                setattr(group, attr, value)
        return ActionResult({"hooksNotCleanedUp": []})

    def delete_deployment_group(self: Any) -> Any:
        backend = self.codedeploy_backend
        app = self._get_param("applicationName")
        name = self._get_param("deploymentGroupName")
        backend.get_deployment_group(app, name)
        del backend.deployment_groups[app][name]
        return ActionResult({"hooksNotCleanedUp": []})

    def delete_application(self: Any) -> Any:
        backend = self.codedeploy_backend
        app = self._get_param("applicationName")
        # AWS answers success for an application that does not exist.
        backend.applications.pop(app, None)
        backend.deployment_groups.pop(app, None)
        return EmptyResult()

    cdr.CodeDeployResponse.update_deployment_group = update_deployment_group
    cdr.CodeDeployResponse.delete_deployment_group = delete_deployment_group
    cdr.CodeDeployResponse.delete_application = delete_application
    _codedeploy_deployment_configs(cdr)


def _codedeploy_deployment_configs(cdr: Any) -> None:
    import uuid

    from moto.codedeploy.exceptions import CodeDeployException
    from moto.core.responses import ActionResult, EmptyResult
    from moto.core.utils import utcnow

    from harness.drills.codedeploy_canary import builtin_config_info

    def configs(response: Any) -> dict[str, dict[str, Any]]:
        backend = response.codedeploy_backend
        if not hasattr(backend, "kata_deployment_configs"):
            backend.kata_deployment_configs = {}
        return backend.kata_deployment_configs

    def create_deployment_config(self: Any) -> Any:
        name = self._get_param("deploymentConfigName")
        stored = configs(self)
        if name.startswith("CodeDeployDefault.") or name in stored:
            raise CodeDeployException(
                "DeploymentConfigAlreadyExistsException",
                f"A deployment configuration with the name {name} already exists.",
            )
        info = {
            "deploymentConfigId": str(uuid.uuid4()),
            "deploymentConfigName": name,
            "computePlatform": self._get_param("computePlatform") or "Server",
            "createTime": utcnow(),
        }
        for key in ("minimumHealthyHosts", "trafficRoutingConfig", "zonalConfig"):
            if self._get_param(key) is not None:
                info[key] = self._get_param(key)
        stored[name] = info
        return ActionResult({"deploymentConfigId": info["deploymentConfigId"]})

    def get_deployment_config(self: Any) -> Any:
        name = self._get_param("deploymentConfigName")
        info = configs(self).get(name) or builtin_config_info(name)
        if info is None:
            raise CodeDeployException(
                "DeploymentConfigDoesNotExistException",
                f"The deployment configuration {name} does not exist with the user or AWS account.",
            )
        return ActionResult({"deploymentConfigInfo": info})

    def delete_deployment_config(self: Any) -> Any:
        name = self._get_param("deploymentConfigName")
        if name.startswith("CodeDeployDefault."):
            raise CodeDeployException(
                "InvalidOperationException",
                "A predefined deployment configuration cannot be deleted.",
            )
        backend = self.codedeploy_backend
        for groups in backend.deployment_groups.values():
            if any(g.deployment_config_name == name for g in groups.values()):
                raise CodeDeployException(
                    "DeploymentConfigInUseException",
                    f"The deployment configuration {name} is in use by a deployment group.",
                )
        configs(self).pop(name, None)
        return EmptyResult()

    def list_deployment_configs(self: Any) -> Any:
        return ActionResult({"deploymentConfigsList": sorted(configs(self))})

    cdr.CodeDeployResponse.create_deployment_config = create_deployment_config
    cdr.CodeDeployResponse.get_deployment_config = get_deployment_config
    cdr.CodeDeployResponse.delete_deployment_config = delete_deployment_config
    cdr.CodeDeployResponse.list_deployment_configs = list_deployment_configs


def _boundary_policy(request: Any) -> Any:
    key = request._access_key
    backend = request.backend
    arn = None
    if hasattr(key, "_owner_role_name"):
        arn = backend.get_role(key._owner_role_name).permissions_boundary_arn
    elif hasattr(key, "_owner_user_name"):
        user = backend.get_user(key._owner_user_name)
        arn = getattr(user, "permissions_boundary_arn", None) or _user_boundary(user)
    if not arn:
        return None
    return backend.get_policy(arn)


def _user_boundary(user: Any) -> str | None:
    boundary = getattr(user, "permissions_boundary", None)
    if isinstance(boundary, dict):
        return boundary.get("PermissionsBoundaryArn")
    return boundary if isinstance(boundary, str) else None


def _keep_health_check_alarms() -> None:
    from moto.route53.models import HealthCheck
    from moto.route53.responses import Route53

    shown = HealthCheck.health_check_config

    def health_check_config(self: Any) -> dict[str, Any]:
        config = shown.fget(self)
        if getattr(self, "alarm_identifier", None):
            config["AlarmIdentifier"] = self.alarm_identifier
        if getattr(self, "insufficient_data_health_status", None):
            config["InsufficientDataHealthStatus"] = self.insufficient_data_health_status
        return config

    HealthCheck.health_check_config = property(health_check_config)

    def keep(health_check: Any, alarm: Any, insufficient: Any) -> None:
        if alarm:
            health_check.alarm_identifier = {"Name": alarm["Name"], "Region": alarm["Region"]}
        if insufficient:
            health_check.insufficient_data_health_status = insufficient

    create, update = Route53.create_health_check, Route53.update_health_check

    def create_health_check(self: Any) -> Any:
        result = create(self)
        config = self._get_param("HealthCheckConfig") or {}
        keep(
            result.result["HealthCheck"],
            config.get("AlarmIdentifier"),
            config.get("InsufficientDataHealthStatus"),
        )
        return result

    def update_health_check(self: Any) -> Any:
        result = update(self)
        keep(
            result.result["HealthCheck"],
            self._get_param("AlarmIdentifier"),
            self._get_param("InsufficientDataHealthStatus"),
        )
        return result

    Route53.create_health_check = create_health_check
    Route53.update_health_check = update_health_check


def _keep_secret_replica_keys() -> None:
    from moto.secretsmanager.models import FakeSecret

    create_replicas = FakeSecret.create_replicas

    def keep_keys(self: Any, replica_regions: Any, force_overwrite: bool) -> Any:
        replicas = create_replicas(self, replica_regions, force_overwrite=force_overwrite)
        for replica, asked in zip(replicas, replica_regions or [], strict=False):
            if asked.get("KmsKeyId"):
                replica.config["KmsKeyId"] = asked["KmsKeyId"]
        return replicas

    FakeSecret.create_replicas = keep_keys


S3_REPLICATION_HEADER = "x-kata-s3-replication"
# (resource type, method, sub-resource in the query string or "") -> replication action
_S3_REPLICATION_ACTIONS = {
    ("BUCKET", "GET", "replication"): "GetReplicationConfiguration",
    ("KEY", "GET", ""): "GetObjectVersionForReplication",
    ("KEY", "HEAD", ""): "GetObjectVersionForReplication",
    ("KEY", "GET", "tagging"): "GetObjectVersionTagging",
    ("KEY", "PUT", ""): "ReplicateObject",
    ("KEY", "PUT", "tagging"): "ReplicateTags",
    ("KEY", "DELETE", ""): "ReplicateDelete",
}


def _authorize_s3_replication_actions() -> None:
    from moto.s3.responses import S3Response

    set_action = S3Response._set_action

    def _set_action(self: Any, resource_type: str, method: str, querystring: Any) -> None:
        set_action(self, resource_type, method, querystring)
        if not self.headers.get(S3_REPLICATION_HEADER):
            return
        sub = next((q for q in ("replication", "tagging") if q in querystring), "")
        action = _S3_REPLICATION_ACTIONS.get((resource_type, method, sub))
        if action:
            self.data["Action"] = action

    S3Response._set_action = _set_action


def _store_composite_alarms() -> None:
    from moto.cloudwatch.responses import ActionResult, CloudWatchResponse, EmptyResult

    def put_composite_alarm(self: Any) -> Any:
        name = self._get_param("AlarmName")
        alarm = self.cloudwatch_backend.put_metric_alarm(
            name=name,
            namespace=None,
            metric_name=None,
            metric_data_queries=None,
            comparison_operator=None,
            evaluation_periods=None,
            datapoints_to_alarm=None,
            period=None,
            threshold=None,
            statistic=None,
            extended_statistic=None,
            description=self._get_param("AlarmDescription"),
            dimensions=[],
            alarm_actions=self._get_param("AlarmActions", []),
            ok_actions=self._get_param("OKActions", []),
            insufficient_data_actions=self._get_param("InsufficientDataActions", []),
            unit=None,
            actions_enabled=self._get_bool_param("ActionsEnabled"),
            treat_missing_data=None,
            evaluate_low_sample_count_percentile=None,
            threshold_metric_id=None,
            rule=self._get_param("AlarmRule"),
            tags=self._get_param("Tags", []),
        )
        # The serializer reads CompositeAlarm members by their snake_case names.
        alarm.alarm_rule = alarm.rule
        alarm.actions_suppressor = self._get_param("ActionsSuppressor")
        alarm.actions_suppressor_wait_period = self._get_int_param("ActionsSuppressorWaitPeriod")
        alarm.actions_suppressor_extension_period = self._get_int_param(
            "ActionsSuppressorExtensionPeriod"
        )
        alarm.state_value = "INSUFFICIENT_DATA"  # AWS: a new alarm has not been evaluated
        alarm.state_transitioned_timestamp = alarm.state_updated_timestamp
        return EmptyResult()

    described = CloudWatchResponse.describe_alarms

    def describe_alarms(self: Any) -> Any:
        result = described(self)
        types = self._get_param("AlarmTypes") or ["MetricAlarm"]
        body = result.result
        return ActionResult(
            {
                "MetricAlarms": body["MetricAlarms"] if "MetricAlarm" in types else [],
                "CompositeAlarms": body["CompositeAlarms"] if "CompositeAlarm" in types else [],
            }
        )

    CloudWatchResponse.put_composite_alarm = put_composite_alarm
    CloudWatchResponse.describe_alarms = describe_alarms


def _object_lock_on_buckets_with_objects() -> None:
    from moto.s3.exceptions import InvalidBucketState
    from moto.s3.models import S3Backend

    def put_object_lock_configuration(
        self: Any,
        bucket_name: str,
        lock_enabled: bool,
        mode: str | None = None,
        days: int | None = None,
        years: int | None = None,
    ) -> None:
        # moto's own, less its "Bucket needs to be empty" refusal.
        bucket = self.get_bucket(bucket_name)
        if not bucket.is_versioned:
            raise InvalidBucketState(
                "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration"
            )
        if lock_enabled:
            bucket.object_lock_enabled = True
            bucket.versioning_status = "Enabled"
        bucket.default_lock_mode = mode
        bucket.default_lock_days = days
        bucket.default_lock_years = years

    S3Backend.put_object_lock_configuration = put_object_lock_configuration


def _event_source_mappings_do_not_invoke() -> None:
    """moto hands a message sent to a queue with a Lambda event source mapping straight
    to the function, which runs in Docker. Without Docker the hand-over fails — inside a
    run's sandbox only once the Docker client gives up, which held SendMessage past the
    checks' read timeout (observed: 120 s). Nothing here runs Lambda code, so
    the hand-over reports "not processed" and moto makes the messages visible again: they
    wait in the queue, as behind a poller that has not come by yet (each counts one
    receive)."""
    from moto.awslambda.models import LambdaBackend

    def send_sqs_batch(self: Any, function_arn: str, messages: Any, queue_arn: str) -> bool:
        return False

    LambdaBackend.send_sqs_batch = send_sqs_batch


def _describe_budget_subscribers() -> None:
    """moto 5.2.5 stores a budget notification's subscribers and has no
    DescribeSubscribersForNotification: without it, who a budget alerts cannot be read."""
    import json

    from moto.budgets.exceptions import NotFoundException
    from moto.budgets.responses import BudgetsResponse

    def same(stored: dict[str, Any], asked: dict[str, Any]) -> bool:
        return (
            stored.get("NotificationType") == asked.get("NotificationType")
            and stored.get("ComparisonOperator") == asked.get("ComparisonOperator")
            and float(stored.get("Threshold", 0)) == float(asked.get("Threshold", 0))
            and (stored.get("ThresholdType") or "PERCENTAGE")
            == (asked.get("ThresholdType") or "PERCENTAGE")
        )

    def describe_subscribers_for_notification(self: Any) -> str:
        account_id = self._get_param("AccountId")
        name = self._get_param("BudgetName")
        asked = self._get_param("Notification") or {}
        budget = self.backend.budgets.get(account_id, {}).get(name)
        if budget is None:
            raise NotFoundException(f"Unable to get subscribers - the budget {name} doesn't exist.")
        found = next((n for n in budget.notifications if same(n.details, asked)), None)
        if found is None:
            raise NotFoundException("Unable to get subscribers - the notification doesn't exist.")
        return json.dumps({"Subscribers": list(found.subscribers), "NextToken": None})

    BudgetsResponse.describe_subscribers_for_notification = describe_subscribers_for_notification
