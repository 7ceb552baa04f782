"""The transcoder stack from tables: every knob of the cost guardrails is data, and the
program loops over it. Weekday and weekend mornings are separate schedules; the group's
own minimum is the daytime floor and the evening schedule lowers it."""

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
team, service = cfg.require("team"), cfg.require("service")
TAGS = {"Team": team, "CostCenter": cfg.require("costCenter"), "Service": service}

ALERTS = [("ACTUAL", 80), ("FORECASTED", 100)]
UPLOAD_STEPS = [(30, "STANDARD_IA"), (120, "GLACIER_IR")]
HOUSEKEEPING = {"noncurrent_days": 30, "abort_after_days": 7}
FLEET = {
    "instance_type": "c6g.xlarge",  # 120 jobs an hour each, USD 0.136 an hour
    "max": 14,
    "cpu_target": 70,
    "schedules": [
        ("weekday-morning", "0 7 * * MON-FRI", 4),
        ("weekend-morning", "0 7 * * SAT,SUN", 4),
        ("evening", "0 20 * * *", 2),
    ],
}

topic = aws.sns.Topic("alerts", name=f"{team}-alerts", tags=TAGS)
aws.budgets.Budget(
    "budget",
    name=f"{service}-monthly",
    budget_type="COST",
    time_unit="MONTHLY",
    limit_amount=cfg.require("monthlyBudgetUsd"),
    limit_unit="USD",
    notifications=[
        {
            "notification_type": kind,
            "comparison_operator": "GREATER_THAN",
            "threshold": percent,
            "threshold_type": "PERCENTAGE",
            "subscriber_sns_topic_arns": [topic.arn],
        }
        for kind, percent in ALERTS
    ],
)

bucket = aws.s3.Bucket("media", bucket=cfg.require("mediaBucketName"), tags=TAGS)
versioning = aws.s3.BucketVersioning(
    "media", bucket=bucket.id, versioning_configuration={"status": "Enabled"}
)
rules = [
    {
        "id": "uploads",
        "status": "Enabled",
        "filter": {"prefix": "uploads/"},
        "transitions": [{"days": d, "storage_class": c} for d, c in UPLOAD_STEPS],
    },
    {
        "id": "old-versions",
        "status": "Enabled",
        "filter": {"prefix": ""},
        "noncurrent_version_expiration": {"noncurrent_days": HOUSEKEEPING["noncurrent_days"]},
    },
    {
        "id": "abandoned-parts",
        "status": "Enabled",
        "filter": {"prefix": ""},
        "abort_incomplete_multipart_upload": {
            "days_after_initiation": HOUSEKEEPING["abort_after_days"]
        },
    },
]
aws.s3.BucketLifecycleConfiguration(
    "media", bucket=bucket.id, rules=rules, opts=pulumi.ResourceOptions(depends_on=[versioning])
)

for name, days in (("workers", 30), ("workers-audit", 14)):
    aws.cloudwatch.LogGroup(
        name, name=f"/{team}/{service}/{name}", retention_in_days=days, tags=TAGS
    )

aws.dynamodb.Table(
    "jobs",
    billing_mode="PAY_PER_REQUEST",
    hash_key="jobId",
    range_key="createdAt",
    attributes=[{"name": "jobId", "type": "S"}, {"name": "createdAt", "type": "N"}],
    ttl={"attribute_name": "expiresAt", "enabled": True},
    tags=TAGS,
)

template = aws.ec2.LaunchTemplate(
    "workers",
    image_id=cfg.require("imageId"),
    instance_type=FLEET["instance_type"],
    update_default_version=True,
    tags=TAGS,
)
group = aws.autoscaling.Group(
    "workers",
    min_size=4,
    max_size=FLEET["max"],
    availability_zones=["us-east-1a", "us-east-1b"],
    launch_template={"name": template.name, "version": "$Default"},
    tags=[{"key": k, "value": v, "propagate_at_launch": True} for k, v in TAGS.items()],
)
aws.autoscaling.Policy(
    "cpu",
    autoscaling_group_name=group.name,
    policy_type="TargetTrackingScaling",
    target_tracking_configuration={
        "predefined_metric_specification": {"predefined_metric_type": "ASGAverageCPUUtilization"},
        "target_value": FLEET["cpu_target"],
    },
)
for name, cron, floor in FLEET["schedules"]:
    aws.autoscaling.Schedule(
        name,
        scheduled_action_name=name,
        autoscaling_group_name=group.name,
        recurrence=cron,
        min_size=floor,
    )

pulumi.export("workerGroupName", group.name)
pulumi.export("budgetTopicArn", topic.arn)
