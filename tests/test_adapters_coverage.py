"""Adapters for the types public Pulumi programs use most (issue 16): Lambda permissions
and event source mappings, DynamoDB tables, a VPC with subnets, a gateway, route tables
and an instance, a launch template and an Auto Scaling group with a policy, log groups,
composite alarms, queue policies, access keys, instance profiles, state machines and a
budget.

One stack walks the life: deploy (each claim read back from moto), converge (a second
preview is empty and refresh finds no drift), an update in place, destroy with nothing
left behind.
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
retention = cfg.get_int("retention") or 7
uid = cfg.require("uid")

assume = lambda service: json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": service}}]})

role = aws.iam.Role("fn-role", assume_role_policy=assume("lambda.amazonaws.com"))
fn = aws.lambda_.Function(
    "fn", role=role.arn, runtime="python3.12", handler="app.handler",
    code=pulumi.AssetArchive({"app.py": pulumi.StringAsset("def handler(e, c): return 1")}),
)
queue = aws.sqs.Queue("jobs")
aws.sqs.QueuePolicy("jobs-policy", queue_url=queue.url, policy=pulumi.Output.json_dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage",
    "Principal": {"Service": "sns.amazonaws.com"}, "Resource": queue.arn}]}))
aws.lambda_.EventSourceMapping("jobs-to-fn", event_source_arn=queue.arn,
                               function_name=fn.name, batch_size=5)
aws.lambda_.Permission("from-s3", function=fn.name, action="lambda:InvokeFunction",
                       principal="s3.amazonaws.com", source_arn="arn:aws:s3:::some-bucket")
table = aws.dynamodb.Table(
    "orders", billing_mode="PAY_PER_REQUEST", hash_key="pk", range_key="sk",
    attributes=[{"name": "pk", "type": "S"}, {"name": "sk", "type": "S"},
                {"name": "status", "type": "S"}],
    global_secondary_indexes=[{"name": "by-status", "hash_key": "status",
                               "projection_type": "ALL"}],
    stream_enabled=True, stream_view_type="NEW_IMAGE",
    ttl={"attribute_name": "expires", "enabled": True},
    point_in_time_recovery={"enabled": True},
)
vpc = aws.ec2.Vpc("net", cidr_block="10.0.0.0/16", enable_dns_hostnames=True,
                  tags={"Name": "net"})
subnet = aws.ec2.Subnet("public", vpc_id=vpc.id, cidr_block="10.0.1.0/24",
                        map_public_ip_on_launch=True)
igw = aws.ec2.InternetGateway("igw", vpc_id=vpc.id)
routes = aws.ec2.RouteTable("public", vpc_id=vpc.id,
                            routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": igw.id}])
aws.ec2.RouteTableAssociation("public", subnet_id=subnet.id, route_table_id=routes.id)
private = aws.ec2.RouteTable("private", vpc_id=vpc.id)
aws.ec2.Route("private-out", route_table_id=private.id, destination_cidr_block="10.9.0.0/16",
              gateway_id=igw.id)
web_sg = aws.ec2.SecurityGroup("web", vpc_id=vpc.id, ingress=[
    {"protocol": "tcp", "from_port": 80, "to_port": 80, "cidr_blocks": ["0.0.0.0/0"]}])
profile = aws.iam.InstanceProfile(
    "web", role=aws.iam.Role("web-role", assume_role_policy=assume("ec2.amazonaws.com")).name)
ami = aws.ec2.get_ami(most_recent=True, owners=["amazon"],
                      filters=[{"name": "name", "values": ["amzn2-ami-hvm-*"]}])
server = aws.ec2.Instance("web", ami=ami.id, instance_type="t3.micro", subnet_id=subnet.id,
                          vpc_security_group_ids=[web_sg.id], iam_instance_profile=profile.name,
                          user_data="#!/bin/sh\\necho hi", tags={"Name": "web"})
logs = aws.cloudwatch.LogGroup("app", retention_in_days=retention)
a = aws.cloudwatch.MetricAlarm("a", comparison_operator="GreaterThanThreshold",
    evaluation_periods=1, metric_name="Errors", namespace="AWS/Lambda", period=60,
    statistic="Sum", threshold=1)
b = aws.cloudwatch.MetricAlarm("b", comparison_operator="GreaterThanThreshold",
    evaluation_periods=1, metric_name="Throttles", namespace="AWS/Lambda", period=60,
    statistic="Sum", threshold=1)
both = aws.cloudwatch.CompositeAlarm("both", alarm_name=f"both-{uid}",
    alarm_rule=pulumi.Output.format("ALARM({0}) AND ALARM({1})", a.name, b.name))
user = aws.iam.User("ci")
key = aws.iam.AccessKey("ci-key", user=user.name)
sfn_role = aws.iam.Role("sfn-role", assume_role_policy=assume("states.amazonaws.com"))
machine = aws.sfn.StateMachine("flow", role_arn=sfn_role.arn, definition=json.dumps({
    "StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}))
template = aws.ec2.LaunchTemplate("web", image_id=ami.id, instance_type="t3.micro",
                                  vpc_security_group_ids=[web_sg.id])
group = aws.autoscaling.Group("web", min_size=1, max_size=3, desired_capacity=1,
                              vpc_zone_identifiers=[subnet.id],
                              launch_template={"id": template.id, "version": "$Latest"},
                              tags=[{"key": "team", "value": "web",
                                     "propagate_at_launch": True}])
aws.autoscaling.Policy("scale-out", autoscaling_group_name=group.name,
                       adjustment_type="ChangeInCapacity", scaling_adjustment=1, cooldown=120)
aws.budgets.Budget("monthly", budget_type="COST", limit_amount="100", limit_unit="USD",
                   time_unit="MONTHLY", notifications=[{
                       "comparison_operator": "GREATER_THAN", "threshold": 80,
                       "threshold_type": "PERCENTAGE", "notification_type": "FORECASTED",
                       "subscriber_email_addresses": ["ops@example.com"]}])
pulumi.export("group", group.name)
pulumi.export("fn", fn.name)
pulumi.export("queue", queue.url)
pulumi.export("table", table.name)
pulumi.export("streamArn", table.stream_arn)
pulumi.export("vpc", vpc.id)
pulumi.export("subnet", subnet.id)
pulumi.export("routes", routes.id)
pulumi.export("server", server.id)
pulumi.export("profile", profile.name)
pulumi.export("logs", logs.name)
pulumi.export("composite", both.alarm_name)
pulumi.export("user", user.name)
pulumi.export("key", key.id)
pulumi.export("machine", machine.arn)
"""

pytestmark = pytest.mark.xdist_group("adapters-coverage")


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory, project_factory: Callable[..., LocalEngine]
) -> Iterator[LocalEngine]:
    engine = project_factory(tmp_path_factory.mktemp("coverage"), PROGRAM)
    engine.spec.config[f"{engine.spec.project}:uid"] = uuid.uuid4().hex[:8]
    yield engine
    engine.destroy()
    engine.close()


def test_deploy_reaches_the_emulator(stack: LocalEngine, aws_client) -> None:
    out = stack.up().outputs
    lam, sqs, ddb, ec2 = (aws_client(s) for s in ("lambda", "sqs", "dynamodb", "ec2"))

    policy = json.loads(lam.get_policy(FunctionName=out["fn"])["Policy"])
    (statement,) = policy["Statement"]
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"}
    (mapping,) = lam.list_event_source_mappings(FunctionName=out["fn"])["EventSourceMappings"]
    assert mapping["BatchSize"] == 5 and mapping["EventSourceArn"].endswith(
        ":" + out["queue"].rsplit("/", 1)[1]
    )
    attrs = sqs.get_queue_attributes(QueueUrl=out["queue"], AttributeNames=["Policy"])
    assert json.loads(attrs["Attributes"]["Policy"])["Statement"][0]["Action"] == "sqs:SendMessage"

    table = ddb.describe_table(TableName=out["table"])["Table"]
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["pk", "sk"]
    assert table["GlobalSecondaryIndexes"][0]["IndexName"] == "by-status"
    assert table["StreamSpecification"]["StreamViewType"] == "NEW_IMAGE"
    assert out["streamArn"] == table["LatestStreamArn"]
    ttl = ddb.describe_time_to_live(TableName=out["table"])["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expires" and ttl["TimeToLiveStatus"] == "ENABLED"

    assert ec2.describe_vpc_attribute(VpcId=out["vpc"], Attribute="enableDnsHostnames")[
        "EnableDnsHostnames"
    ]["Value"]
    (subnet,) = ec2.describe_subnets(SubnetIds=[out["subnet"]])["Subnets"]
    assert subnet["MapPublicIpOnLaunch"] is True and subnet["VpcId"] == out["vpc"]
    (routes,) = ec2.describe_route_tables(RouteTableIds=[out["routes"]])["RouteTables"]
    default = [r for r in routes["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
    assert default and default[0]["GatewayId"].startswith("igw-")
    assert [a["SubnetId"] for a in routes["Associations"] if a.get("SubnetId")] == [out["subnet"]]
    (server,) = ec2.describe_instances(InstanceIds=[out["server"]])["Reservations"][0]["Instances"]
    assert server["SubnetId"] == out["subnet"] and server["InstanceType"] == "t3.micro"
    assert server["IamInstanceProfile"]["Arn"].endswith("/" + out["profile"])

    logs = aws_client("logs").describe_log_groups(logGroupNamePrefix=out["logs"])["logGroups"]
    assert logs[0]["retentionInDays"] == 7
    composite = aws_client("cloudwatch").describe_alarms(
        AlarmNames=[out["composite"]], AlarmTypes=["CompositeAlarm"]
    )["CompositeAlarms"]
    assert composite[0]["AlarmRule"].startswith("ALARM(")
    keys = aws_client("iam").list_access_keys(UserName=out["user"])["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in keys] == [out["key"]]
    machine = aws_client("stepfunctions").describe_state_machine(stateMachineArn=out["machine"])
    assert json.loads(machine["definition"])["StartAt"] == "Done"

    scaling = aws_client("autoscaling")
    (group,) = scaling.describe_auto_scaling_groups(AutoScalingGroupNames=[out["group"]])[
        "AutoScalingGroups"
    ]
    assert (group["MinSize"], group["MaxSize"]) == (1, 3)
    assert group["VPCZoneIdentifier"] == out["subnet"]
    (policy,) = scaling.describe_policies(AutoScalingGroupName=out["group"])["ScalingPolicies"]
    assert policy["ScalingAdjustment"] == 1 and policy["Cooldown"] == 120
    budgets = aws_client("budgets").describe_budgets(AccountId="123456789012")["Budgets"]
    (budget,) = [b for b in budgets if b["BudgetName"].startswith("monthly")]
    assert float(budget["BudgetLimit"]["Amount"]) == 100 and budget["TimeUnit"] == "MONTHLY"


def test_it_converges(stack: LocalEngine) -> None:
    assert [c for c in stack.preview().changes if c.op != Op.SAME] == []
    assert stack.refresh() == []


def test_an_update_in_place(stack: LocalEngine, aws_client) -> None:
    stack.spec.config[f"{stack.spec.project}:retention"] = "30"
    plan = stack.preview()
    changed = [(c.type, c.name, c.op) for c in plan.changes if c.op != Op.SAME]
    assert changed == [("aws:cloudwatch/logGroup:LogGroup", "app", Op.UPDATE)]
    out = stack.up().outputs
    logs = aws_client("logs").describe_log_groups(logGroupNamePrefix=out["logs"])["logGroups"]
    assert logs[0]["retentionInDays"] == 30


def test_destroy_leaves_nothing(stack: LocalEngine) -> None:
    state = stack.state()
    assert state is not None
    stack.destroy()
    left = [r.name for r in state.managed() if stack.exists(r)]
    assert left == []
