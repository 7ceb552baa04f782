"""The transcoder stack in its own VPC: workers in two private subnets of two zones, the
bucket's versioning and lifecycle written inline on the bucket (the provider's older
style), helper functions instead of repeated blocks."""

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
service = cfg.require("service")
COST_TAGS = {
    "CostCenter": cfg.require("costCenter"),
    "Service": service,
    "Team": cfg.require("team"),
}


def tagged(**extra: str) -> dict[str, str]:
    return {**COST_TAGS, **extra}


def budget_alert(kind: str, percent: int, topic: aws.sns.Topic) -> dict:
    return {
        "notification_type": kind,
        "comparison_operator": "GREATER_THAN",
        "threshold": percent,
        "threshold_type": "PERCENTAGE",
        "subscriber_sns_topic_arns": [topic.arn],
    }


def transition(days: int, storage_class: str) -> dict:
    return {"days": days, "storage_class": storage_class}


topic = aws.sns.Topic("budget", tags=tagged(Name="budget-alerts"))
aws.budgets.Budget(
    "monthly",
    budget_type="COST",
    time_unit="MONTHLY",
    limit_amount="4000.00",
    limit_unit="USD",
    notifications=[budget_alert("ACTUAL", 80, topic), budget_alert("FORECASTED", 100, topic)],
)

media = aws.s3.Bucket(
    "media",
    bucket=cfg.require("mediaBucketName"),
    versioning={"enabled": True},
    lifecycle_rules=[
        {
            "id": "uploads",
            "enabled": True,
            "prefix": "uploads/",
            "transitions": [transition(30, "STANDARD_IA"), transition(90, "GLACIER")],
        },
        {
            "id": "versions-and-parts",
            "enabled": True,
            "noncurrent_version_expiration": {"days": 30},
            "abort_incomplete_multipart_upload_days": 7,
        },
    ],
    tags=tagged(),
)

aws.cloudwatch.LogGroup("workers", retention_in_days=30, tags=tagged())
aws.dynamodb.Table(
    "jobs",
    billing_mode="PAY_PER_REQUEST",
    hash_key="jobId",
    attributes=[{"name": "jobId", "type": "S"}],
    ttl={"attribute_name": "expiresAt", "enabled": True},
    tags=tagged(),
)

vpc = aws.ec2.Vpc("workers", cidr_block="10.42.0.0/16", tags=tagged())
subnets = [
    aws.ec2.Subnet(
        f"workers-{zone}",
        vpc_id=vpc.id,
        cidr_block=f"10.42.{i}.0/24",
        availability_zone=f"us-east-1{zone}",
        tags=tagged(),
    )
    for i, zone in enumerate("ab")
]
template = aws.ec2.LaunchTemplate(
    "workers", image_id=cfg.require("imageId"), instance_type="c7i.xlarge", tags=tagged()
)
group = aws.autoscaling.Group(
    "workers",
    min_size=2,
    max_size=13,  # 13 x USD 0.1785 = 2.32 an hour
    vpc_zone_identifiers=[s.id for s in subnets],
    launch_template={"id": template.id, "version": "$Latest"},
    tags=[{"key": k, "value": v, "propagate_at_launch": True} for k, v in COST_TAGS.items()],
)
aws.autoscaling.Policy(
    "cpu",
    autoscaling_group_name=group.name,
    policy_type="TargetTrackingScaling",
    target_tracking_configuration={
        "predefined_metric_specification": {"predefined_metric_type": "ASGAverageCPUUtilization"},
        "target_value": 65.0,
    },
)
for name, cron, floor in (("open", "0 7 * * *", 4), ("close", "0 20 * * *", 2)):
    aws.autoscaling.Schedule(
        name,
        scheduled_action_name=f"{service}-{name}",
        autoscaling_group_name=group.name,
        recurrence=cron,
        min_size=floor,
        max_size=13,
        desired_capacity=floor,
    )
