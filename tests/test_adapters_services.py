"""Adapters for a serverless API and a container service, as public Pulumi programs write
them: API Gateway (REST API, resource, method, Lambda proxy integration, deployment,
stage, usage plan and API key), an HTTP API (API Gateway v2: api, integration, route,
stage) and ECS on Fargate behind an application load balancer (cluster, task definition,
service, load balancer, target group, listener) that scales (Application Auto Scaling
target, policy, schedule).

One stack walks the life: deploy (each claim read back from moto), converge (an empty
second preview, no drift), an update in place, destroy with nothing left behind.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator

import pytest

from harness.engines.base import Op
from harness.engines.local import LocalEngine

PROGRAM = """
import json
import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
desired = cfg.get_int("desired") or 1
assume = lambda service: json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": service}}]})

role = aws.iam.Role("fn-role", assume_role_policy=assume("lambda.amazonaws.com"))
fn = aws.lambda_.Function(
    "hello", role=role.arn, runtime="python3.12", handler="app.handler",
    code=pulumi.AssetArchive({"app.py": pulumi.StringAsset("def handler(e, c): return {}")}),
)
api = aws.apigateway.RestApi("api", description="hello api")
resource = aws.apigateway.Resource("hello", rest_api=api.id, parent_id=api.root_resource_id,
                                   path_part="hello")
method = aws.apigateway.Method("get", rest_api=api.id, resource_id=resource.id,
                               http_method="GET", authorization="NONE")
integration = aws.apigateway.Integration(
    "lambda", rest_api=api.id, resource_id=resource.id, http_method=method.http_method,
    type="AWS_PROXY", integration_http_method="POST", uri=fn.invoke_arn)
deployment = aws.apigateway.Deployment("v1", rest_api=api.id,
                                       opts=pulumi.ResourceOptions(depends_on=[integration]))
stage = aws.apigateway.Stage("prod", rest_api=api.id, deployment=deployment.id,
                             stage_name="prod", variables={"release": "1"})
aws.lambda_.Permission("from-api", function=fn.name, action="lambda:InvokeFunction",
                       principal="apigateway.amazonaws.com",
                       source_arn=pulumi.Output.concat(api.execution_arn, "/*/*"))

vpc = aws.ec2.Vpc("net", cidr_block="10.1.0.0/16")
subnets = [aws.ec2.Subnet(f"net-{i}", vpc_id=vpc.id, cidr_block=f"10.1.{i}.0/24",
                          availability_zone=f"us-east-1{z}") for i, z in enumerate("ab")]
sg = aws.ec2.SecurityGroup("web", vpc_id=vpc.id, ingress=[
    {"protocol": "tcp", "from_port": 80, "to_port": 80, "cidr_blocks": ["0.0.0.0/0"]}])
lb = aws.lb.LoadBalancer("web", security_groups=[sg.id], subnets=[s.id for s in subnets],
                         idle_timeout=30)
tg = aws.lb.TargetGroup("web", port=80, protocol="HTTP", target_type="ip", vpc_id=vpc.id,
                        health_check={"path": "/health", "interval": 15})
listener = aws.lb.Listener("web", load_balancer_arn=lb.arn, port=80, protocol="HTTP",
                           default_actions=[{"type": "forward", "target_group_arn": tg.arn}])
cluster = aws.ecs.Cluster("apps", settings=[{"name": "containerInsights", "value": "enabled"}])
exec_role = aws.iam.Role("exec", assume_role_policy=assume("ecs-tasks.amazonaws.com"))
task = aws.ecs.TaskDefinition(
    "web", family="web", cpu="256", memory="512", network_mode="awsvpc",
    requires_compatibilities=["FARGATE"], execution_role_arn=exec_role.arn,
    container_definitions=json.dumps([{"name": "web", "image": "nginx", "essential": True,
                                       "portMappings": [{"containerPort": 80}]}]))
service = aws.ecs.Service(
    "web", cluster=cluster.arn, task_definition=task.arn, desired_count=desired,
    launch_type="FARGATE",
    network_configuration={"subnets": [s.id for s in subnets], "security_groups": [sg.id],
                           "assign_public_ip": True},
    load_balancers=[{"target_group_arn": tg.arn, "container_name": "web",
                     "container_port": 80}],
    opts=pulumi.ResourceOptions(depends_on=[listener]))
http = aws.apigatewayv2.Api("http", protocol_type="HTTP",
                            cors_configuration={"allow_origins": ["https://example.com"]})
http_integration = aws.apigatewayv2.Integration(
    "hello", api_id=http.id, integration_type="AWS_PROXY", integration_uri=fn.invoke_arn,
    payload_format_version="2.0")
aws.apigatewayv2.Route("hello", api_id=http.id, route_key="GET /hello",
                       target=pulumi.Output.concat("integrations/", http_integration.id))
http_stage = aws.apigatewayv2.Stage("default", api_id=http.id, name="$default",
                                    auto_deploy=True)
scaling = aws.appautoscaling.Target(
    "web", service_namespace="ecs", scalable_dimension="ecs:service:DesiredCount",
    resource_id=pulumi.Output.concat("service/", cluster.name, "/", service.name),
    min_capacity=1, max_capacity=4)
aws.appautoscaling.Policy(
    "cpu", service_namespace="ecs", scalable_dimension="ecs:service:DesiredCount",
    resource_id=scaling.resource_id, policy_type="TargetTrackingScaling",
    target_tracking_scaling_policy_configuration={
        "target_value": 60,
        "predefined_metric_specification": {
            "predefined_metric_type": "ECSServiceAverageCPUUtilization"}})
aws.appautoscaling.ScheduledAction(
    "night", service_namespace="ecs", scalable_dimension="ecs:service:DesiredCount",
    resource_id=scaling.resource_id, schedule="cron(0 22 * * ? *)",
    scalable_target_action={"min_capacity": 1, "max_capacity": 1})
plan = aws.apigateway.UsagePlan("basic", api_stages=[{"api_id": api.id, "stage": stage.stage_name}],
                                quota_settings={"limit": 1000, "period": "MONTH"},
                                throttle_settings={"burst_limit": 5, "rate_limit": 10})
api_key = aws.apigateway.ApiKey("partner", description="partner key")
aws.apigateway.UsagePlanKey("partner", key_id=api_key.id, key_type="API_KEY",
                            usage_plan_id=plan.id)
pulumi.export("plan", plan.id)
pulumi.export("apiKey", api_key.id)
pulumi.export("http", http.id)
pulumi.export("httpUrl", http_stage.invoke_url)
pulumi.export("scalingId", scaling.resource_id)
pulumi.export("api", api.id)
pulumi.export("resource", resource.id)
pulumi.export("url", stage.invoke_url)
pulumi.export("fn", fn.name)
pulumi.export("lb", lb.arn)
pulumi.export("dns", lb.dns_name)
pulumi.export("tg", tg.arn)
pulumi.export("listener", listener.arn)
pulumi.export("cluster", cluster.arn)
pulumi.export("service", service.id)
pulumi.export("task", task.arn)
"""

pytestmark = pytest.mark.xdist_group("adapters-services")


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory, project_factory: Callable[..., LocalEngine]
) -> Iterator[LocalEngine]:
    engine = project_factory(tmp_path_factory.mktemp(f"services{uuid.uuid4().hex[:6]}"), PROGRAM)
    yield engine
    engine.destroy()
    engine.close()


def test_deploy_reaches_the_emulator(stack: LocalEngine, aws_client) -> None:
    out = stack.up().outputs
    apigw, elb, ecs = aws_client("apigateway"), aws_client("elbv2"), aws_client("ecs")
    integration = apigw.get_integration(
        restApiId=out["api"], resourceId=out["resource"], httpMethod="GET"
    )
    assert integration["type"] == "AWS_PROXY" and out["fn"] in integration["uri"]
    stage = apigw.get_stage(restApiId=out["api"], stageName="prod")
    assert stage["variables"] == {"release": "1"}
    assert out["url"].endswith("/prod")
    usage = apigw.get_usage_plan(usagePlanId=out["plan"])
    assert (usage["quota"]["limit"], usage["quota"]["period"]) == (1000, "MONTH")
    assert usage["apiStages"] == [{"apiId": out["api"], "stage": "prod"}]
    keys = apigw.get_usage_plan_keys(usagePlanId=out["plan"])["items"]
    assert [k["id"] for k in keys] == [out["apiKey"]]
    policy = json.loads(aws_client("lambda").get_policy(FunctionName=out["fn"])["Policy"])
    assert policy["Statement"][0]["Principal"] == {"Service": "apigateway.amazonaws.com"}

    (lb,) = elb.describe_load_balancers(LoadBalancerArns=[out["lb"]])["LoadBalancers"]
    assert lb["DNSName"] == out["dns"] and lb["Scheme"] == "internet-facing"
    attrs = elb.describe_load_balancer_attributes(LoadBalancerArn=out["lb"])["Attributes"]
    assert {"Key": "idle_timeout.timeout_seconds", "Value": "30"} in attrs
    (tg,) = elb.describe_target_groups(TargetGroupArns=[out["tg"]])["TargetGroups"]
    assert tg["HealthCheckPath"] == "/health" and tg["HealthCheckIntervalSeconds"] == 15
    (listener,) = elb.describe_listeners(ListenerArns=[out["listener"]])["Listeners"]
    assert listener["DefaultActions"][0]["TargetGroupArn"] == out["tg"]

    (service,) = ecs.describe_services(cluster=out["cluster"], services=[out["service"]])[
        "services"
    ]
    assert service["desiredCount"] == 1 and service["taskDefinition"] == out["task"]
    assert service["loadBalancers"][0]["targetGroupArn"] == out["tg"]
    network = service["networkConfiguration"]["awsvpcConfiguration"]
    assert network["assignPublicIp"] == "ENABLED" and len(network["subnets"]) == 2

    v2 = aws_client("apigatewayv2")
    assert v2.get_api(ApiId=out["http"])["CorsConfiguration"]["AllowOrigins"] == [
        "https://example.com"
    ]
    (route,) = v2.get_routes(ApiId=out["http"])["Items"]
    (integration,) = v2.get_integrations(ApiId=out["http"])["Items"]
    assert route["RouteKey"] == "GET /hello"
    assert route["Target"] == f"integrations/{integration['IntegrationId']}"
    assert integration["PayloadFormatVersion"] == "2.0"
    assert v2.get_stage(ApiId=out["http"], StageName="$default")["AutoDeploy"] is True
    assert out["httpUrl"].startswith("https://")

    scaling = aws_client("application-autoscaling")
    (target,) = scaling.describe_scalable_targets(
        ServiceNamespace="ecs", ResourceIds=[out["scalingId"]]
    )["ScalableTargets"]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (1, 4)
    (policy,) = scaling.describe_scaling_policies(
        ServiceNamespace="ecs", ResourceId=out["scalingId"]
    )["ScalingPolicies"]
    tracking = policy["TargetTrackingScalingPolicyConfiguration"]
    assert tracking["TargetValue"] == 60
    (night,) = scaling.describe_scheduled_actions(
        ServiceNamespace="ecs", ResourceId=out["scalingId"]
    )["ScheduledActions"]
    assert night["ScalableTargetAction"] == {"MinCapacity": 1, "MaxCapacity": 1}


def test_it_converges(stack: LocalEngine) -> None:
    assert [c for c in stack.preview().changes if c.op != Op.SAME] == []
    assert stack.refresh() == []


def test_an_update_in_place(stack: LocalEngine, aws_client) -> None:
    stack.spec.config[f"{stack.spec.project}:desired"] = "3"
    changed = [(c.type, c.name, c.op) for c in stack.preview().changes if c.op != Op.SAME]
    assert changed == [("aws:ecs/service:Service", "web", Op.UPDATE)]
    out = stack.up().outputs
    (service,) = aws_client("ecs").describe_services(
        cluster=out["cluster"], services=[out["service"]]
    )["services"]
    assert service["desiredCount"] == 3


def test_destroy_leaves_nothing(stack: LocalEngine) -> None:
    state = stack.state()
    assert state is not None
    stack.destroy()
    assert [r.name for r in state.managed() if stack.exists(r)] == []
