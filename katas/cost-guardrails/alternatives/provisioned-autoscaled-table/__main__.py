"""The transcoder stack with a provisioned jobs table that autoscales (read and write,
Application Auto Scaling target tracking), fewer bigger workers (c7i.2xlarge), schedules
that only move the floor, and an e-mail copy of the budget alerts beside the topic."""

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
team = cfg.require("team")
service = cfg.require("service")
tags = {"Service": service, "Team": team, "CostCenter": cfg.require("costCenter")}

alerts = aws.sns.Topic("team-alerts", tags=tags)
budget_alert = lambda kind, threshold: {  # noqa: E731 - a table row, not a function
    "comparison_operator": "GREATER_THAN",
    "notification_type": kind,
    "threshold": threshold,
    "threshold_type": "PERCENTAGE",
    "subscriber_sns_topic_arns": [alerts.arn],
    "subscriber_email_addresses": ["media-oncall@example.com"],
}
aws.budgets.Budget(
    "transcoder-monthly",
    budget_type="COST",
    limit_amount="4000.0",
    limit_unit="USD",
    time_unit="MONTHLY",
    notifications=[budget_alert("FORECASTED", 100), budget_alert("ACTUAL", 80)],
)

media = aws.s3.Bucket("media", bucket=cfg.require("mediaBucketName"), tags=tags)
aws.s3.BucketVersioning(
    "media", bucket=media.bucket, versioning_configuration={"status": "Enabled"}
)
aws.s3.BucketLifecycleConfiguration(
    "media",
    bucket=media.bucket,
    rules=[
        {
            "id": "big-uploads",
            "status": "Enabled",
            "filter": {"and": {"prefix": "uploads/", "object_size_greater_than": 1024 * 1024}},
            "transitions": [
                {"days": 40, "storage_class": "STANDARD_IA"},
                {"days": 150, "storage_class": "GLACIER"},
            ],
        },
        {
            "id": "housekeeping",
            "status": "Enabled",
            "filter": {},
            "noncurrent_version_expiration": {"noncurrent_days": 7},
            "abort_incomplete_multipart_upload": {"days_after_initiation": 1},
        },
    ],
)

aws.cloudwatch.LogGroup("transcoder", retention_in_days=14, tags=tags)

table = aws.dynamodb.Table(
    "jobs",
    billing_mode="PROVISIONED",
    read_capacity=5,
    write_capacity=5,
    hash_key="jobId",
    attributes=[{"name": "jobId", "type": "S"}],
    ttl={"attribute_name": "expiresAt", "enabled": True},
    tags=tags,
)
for kind in ("Read", "Write"):
    target = aws.appautoscaling.Target(
        f"jobs-{kind.lower()}",
        service_namespace="dynamodb",
        resource_id=table.name.apply(lambda n: f"table/{n}"),
        scalable_dimension=f"dynamodb:table:{kind}CapacityUnits",
        min_capacity=1,
        max_capacity=50,
    )
    aws.appautoscaling.Policy(
        f"jobs-{kind.lower()}-tracking",
        service_namespace=target.service_namespace,
        resource_id=target.resource_id,
        scalable_dimension=target.scalable_dimension,
        policy_type="TargetTrackingScaling",
        target_tracking_scaling_policy_configuration={
            "predefined_metric_specification": {
                "predefined_metric_type": f"DynamoDB{kind}CapacityUtilization"
            },
            "target_value": 70,
        },
    )

template = aws.ec2.LaunchTemplate(
    "workers", image_id=cfg.require("imageId"), instance_type="c7i.2xlarge", tags=tags
)
# 7 x c7i.2xlarge = USD 2.499 an hour at most; 240 jobs an hour each.
group = aws.autoscaling.Group(
    "workers",
    min_size=2,
    desired_capacity=2,
    max_size=7,
    availability_zones=["us-east-1b", "us-east-1d"],
    launch_template={"id": template.id},
    tags=[{"key": k, "value": v, "propagate_at_launch": True} for k, v in tags.items()],
)
aws.autoscaling.Policy(
    "cpu-55",
    autoscaling_group_name=group.name,
    policy_type="TargetTrackingScaling",
    estimated_instance_warmup=120,
    target_tracking_configuration={
        "predefined_metric_specification": {"predefined_metric_type": "ASGAverageCPUUtilization"},
        "target_value": 55,
    },
)
aws.autoscaling.Schedule(
    "warm-floor",
    scheduled_action_name="warm-floor",
    autoscaling_group_name=group.name,
    recurrence="45 6 * * *",
    min_size=4,
)
aws.autoscaling.Schedule(
    "night-floor",
    scheduled_action_name="night-floor",
    autoscaling_group_name=group.name,
    recurrence="0 20 * * *",
    min_size=2,
)
