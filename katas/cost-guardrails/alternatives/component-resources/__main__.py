"""The transcoder stack as three components: alerts, media storage, the worker fleet.

Graviton workers (c7g.2xlarge), one lifecycle rule for the whole bucket, Deep Archive.
"""

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
TAGS = {
    "Team": cfg.require("team"),
    "CostCenter": cfg.require("costCenter"),
    "Service": cfg.require("service"),
}


class CostAlerts(pulumi.ComponentResource):
    """A topic and a monthly budget that warns on it."""

    def __init__(self, name: str, limit_usd: str, opts: pulumi.ResourceOptions | None = None):
        super().__init__("acme:cost:CostAlerts", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.topic = aws.sns.Topic(f"{name}-topic", tags=TAGS, opts=child)

        def notify(kind: str, percent: float) -> aws.budgets.BudgetNotificationArgs:
            return aws.budgets.BudgetNotificationArgs(
                notification_type=kind,
                comparison_operator="GREATER_THAN",
                threshold=percent,
                threshold_type="PERCENTAGE",
                subscriber_sns_topic_arns=[self.topic.arn],
            )

        self.budget = aws.budgets.Budget(
            f"{name}-budget",
            budget_type="COST",
            time_unit="MONTHLY",
            limit_amount=limit_usd,
            limit_unit="USD",
            notifications=[notify("ACTUAL", 80.0), notify("FORECASTED", 100.0)],
            opts=child,
        )
        self.register_outputs({"topicArn": self.topic.arn})


class MediaStore(pulumi.ComponentResource):
    """A versioned bucket whose objects age out: IA at 45 days, Deep Archive at 180."""

    def __init__(self, name: str, bucket: str, opts: pulumi.ResourceOptions | None = None):
        super().__init__("acme:cost:MediaStore", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.bucket = aws.s3.Bucket(name, bucket=bucket, tags=TAGS, opts=child)
        versioning = aws.s3.BucketVersioning(
            name,
            bucket=self.bucket.id,
            versioning_configuration={"status": "Enabled"},
            opts=child,
        )
        aws.s3.BucketLifecycleConfiguration(
            name,
            bucket=self.bucket.id,
            rules=[
                {
                    "id": "age-out",
                    "status": "Enabled",
                    "transitions": [
                        {"days": 45, "storage_class": "STANDARD_IA"},
                        {"days": 180, "storage_class": "DEEP_ARCHIVE"},
                    ],
                    "noncurrent_version_expiration": {"noncurrent_days": 14},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": 3},
                }
            ],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]),
        )
        self.register_outputs({"bucket": self.bucket.id})


class WorkerFleet(pulumi.ComponentResource):
    """Workers that follow load between a floor that moves with the day and a bounded max."""

    def __init__(
        self,
        name: str,
        instance_type: str,
        maximum: int,
        day_floor: int,
        night_floor: int,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("acme:cost:WorkerFleet", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        template = aws.ec2.LaunchTemplate(
            name,
            image_id=cfg.require("imageId"),
            instance_type=instance_type,
            tags=TAGS,
            opts=child,
        )
        self.group = aws.autoscaling.Group(
            name,
            min_size=night_floor,
            max_size=maximum,
            availability_zones=["us-east-1a", "us-east-1b", "us-east-1c"],
            launch_template={"id": template.id, "version": template.latest_version.apply(str)},
            tags=[{"key": k, "value": v, "propagate_at_launch": True} for k, v in TAGS.items()],
            opts=child,
        )
        aws.autoscaling.Policy(
            f"{name}-cpu",
            autoscaling_group_name=self.group.name,
            policy_type="TargetTrackingScaling",
            target_tracking_configuration={
                "predefined_metric_specification": {
                    "predefined_metric_type": "ASGAverageCPUUtilization"
                },
                "target_value": 50.0,
            },
            opts=child,
        )
        for action, cron, floor in (
            ("day", "0 7 * * *", day_floor),
            ("night", "0 20 * * *", night_floor),
        ):
            aws.autoscaling.Schedule(
                f"{name}-{action}",
                scheduled_action_name=f"{action}-floor",
                autoscaling_group_name=self.group.name,
                recurrence=cron,
                min_size=floor,
                max_size=maximum,
                desired_capacity=floor,
                opts=child,
            )
        self.register_outputs({"group": self.group.name})


alerts = CostAlerts("cost", cfg.require("monthlyBudgetUsd"))
media = MediaStore("media", cfg.require("mediaBucketName"))
logs = aws.cloudwatch.LogGroup("workers", retention_in_days=7, tags=TAGS)
jobs = aws.dynamodb.Table(
    "jobs",
    billing_mode="PAY_PER_REQUEST",
    hash_key="jobId",
    attributes=[{"name": "jobId", "type": "S"}],
    ttl={"attribute_name": "expiresAt", "enabled": True},
    tags=TAGS,
)
# 8 x c7g.2xlarge: USD 2.32 an hour at most, 1920 jobs an hour.
fleet = WorkerFleet("workers", "c7g.2xlarge", maximum=8, day_floor=4, night_floor=2)

pulumi.export("budgetTopicArn", alerts.topic.arn)
pulumi.export("mediaBucketName", media.bucket.id)
pulumi.export("logGroupName", logs.name)
pulumi.export("jobsTableName", jobs.name)
pulumi.export("workerGroupName", fleet.group.name)
