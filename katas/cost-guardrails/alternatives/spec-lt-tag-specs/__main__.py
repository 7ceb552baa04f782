"""The transcoder stack with cost guardrails, written from SPEC.md alone.

Style: small helper functions that return plain dicts of resource arguments, plain-dict
inputs instead of *Args classes, instances tagged by the launch template's tag
specifications (not by the group's propagation) and schedules in an explicit time zone.
"""

import json

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
team = cfg.require("team")
cost_center = cfg.require("costCenter")
service = cfg.require("service")
bucket_name = cfg.require("mediaBucketName")
budget_usd = cfg.require_float("monthlyBudgetUsd")

# Built once so no resource can get a partial set (R6).
COST_TAGS = {"Team": team, "CostCenter": cost_center, "Service": service}

# c7g.xlarge: 4 vCPUs x 30 jobs = 120 jobs an hour at 100 % CPU, USD 0.145 an hour.
INSTANCE_TYPE = "c7g.xlarge"
JOBS_PER_INSTANCE_HOUR = 120
HOURLY_PRICE = 0.145
PEAK_JOBS = 720
CPU_TARGET = 60.0
# At 60 % CPU an instance serves 72 jobs an hour, so the 720-job peak needs 10; 17 is the
# most that stays under USD 2.50 an hour (17 x 0.145 = 2.465) and leaves room for bursts.
MAX_SIZE = int(2.50 // HOURLY_PRICE)
assert MAX_SIZE * JOBS_PER_INSTANCE_HOUR * CPU_TARGET / 100 >= PEAK_JOBS
NIGHT_FLOOR = 2  # HA: two instances in two AZs whatever the load
DAY_FLOOR = 4  # uploads burst faster than a scale-out lands


def tagged(**kwargs):
    """Resource arguments with the cost-allocation tags merged in."""
    return {**kwargs, "tags": {**COST_TAGS, **kwargs.get("tags", {})}}


# --- R1: the team's alert topic and the budget that publishes to it -------------------
alerts = aws.sns.Topic("alerts", **tagged(name=f"{service}-cost-alerts"))

# AWS Budgets can only publish to a topic whose policy lets its service principal do so.
aws.sns.TopicPolicy(
    "alerts",
    arn=alerts.arn,
    policy=alerts.arn.apply(
        lambda arn: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "AllowBudgetsToPublish",
                        "Effect": "Allow",
                        "Principal": {"Service": "budgets.amazonaws.com"},
                        "Action": "SNS:Publish",
                        "Resource": arn,
                    }
                ],
            }
        )
    ),
)


def alert(kind, percent):
    """One budget notification to the team topic (kind: ACTUAL or FORECASTED)."""
    return {
        "notification_type": kind,
        "comparison_operator": "GREATER_THAN",
        "threshold": percent,
        "threshold_type": "PERCENTAGE",
        "subscriber_sns_topic_arns": [alerts.arn],
    }


aws.budgets.Budget(
    "monthly",
    name=f"{service}-monthly",
    budget_type="COST",
    time_unit="MONTHLY",
    limit_amount=f"{budget_usd:.2f}",
    limit_unit="USD",
    # Actual at 80 % leaves a fifth of the month's money to react; the forecast warns
    # before the month is over, when there is still time to act.
    notifications=[alert("ACTUAL", 80.0), alert("FORECASTED", 100.0)],
)

# --- R2: the media bucket and its lifecycle ------------------------------------------
media = aws.s3.Bucket("media", **tagged(bucket=bucket_name))
versioning = aws.s3.BucketVersioning(
    "media",
    bucket=media.bucket,
    versioning_configuration={"status": "Enabled"},
)

uploads_rule = {
    "id": "uploads-age-out",
    "status": "Enabled",
    # Uploads are 512 MB; the size bound keeps tiny markers out of paid transitions.
    "filter": {"and": {"prefix": "uploads/", "object_size_greater_than": 128 * 1024}},
    # IA at day 45 (the latest the SPEC allows), archived only after the 90-day
    # re-read window, at day 180; kept two years, past the one year the SPEC asks.
    "transitions": [
        {"days": 45, "storage_class": "STANDARD_IA"},
        {"days": 180, "storage_class": "DEEP_ARCHIVE"},
    ],
    "expiration": {"days": 730},
}
# Versions and abandoned parts of any key: an empty prefix matches the whole bucket.
noncurrent_rule = {
    "id": "noncurrent-versions",
    "status": "Enabled",
    "filter": {"prefix": ""},
    "noncurrent_version_expiration": {"noncurrent_days": 14},
}
multipart_rule = {
    "id": "abandoned-multipart",
    "status": "Enabled",
    "filter": {"prefix": ""},
    "abort_incomplete_multipart_upload": {"days_after_initiation": 3},
}
aws.s3.BucketLifecycleConfiguration(
    "media",
    bucket=media.bucket,
    rules=[uploads_rule, noncurrent_rule, multipart_rule],
    # Lifecycle rules on noncurrent versions need versioning to exist first.
    opts=pulumi.ResourceOptions(depends_on=[versioning]),
)

# --- R3: logs ---------------------------------------------------------------------------
logs = aws.cloudwatch.LogGroup("workers", **tagged(name=f"/{team}/{service}", retention_in_days=7))

# --- R5: the jobs table -------------------------------------------------------------------
jobs = aws.dynamodb.Table(
    "jobs",
    **tagged(
        name=f"{service}-jobs",
        billing_mode="PAY_PER_REQUEST",
        hash_key="jobId",
        attributes=[{"name": "jobId", "type": "S"}],
        # The application writes expiresAt (epoch seconds) 30 days after the job.
        ttl={"attribute_name": "expiresAt", "enabled": True},
    ),
)

# --- R4: the fleet ------------------------------------------------------------------------
# The launch template tags what it launches, so the group need not propagate its tags.
template = aws.ec2.LaunchTemplate(
    "workers",
    **tagged(
        name=f"{service}-workers",
        image_id=cfg.require("imageId"),
        instance_type=INSTANCE_TYPE,
        tag_specifications=[
            {"resource_type": "instance", "tags": COST_TAGS},
            {"resource_type": "volume", "tags": COST_TAGS},
        ],
    ),
)

group = aws.autoscaling.Group(
    "workers",
    name=f"{service}-workers",
    min_size=NIGHT_FLOOR,
    max_size=MAX_SIZE,
    availability_zones=["us-east-1a", "us-east-1b", "us-east-1c"],
    launch_template={"id": template.id, "version": template.latest_version.apply(str)},
    # The group's own tags (R6); instances get theirs from the template above.
    tags=[
        {"key": key, "value": value, "propagate_at_launch": False}
        for key, value in COST_TAGS.items()
    ],
)

aws.autoscaling.Policy(
    "cpu",
    autoscaling_group_name=group.name,
    policy_type="TargetTrackingScaling",
    target_tracking_configuration={
        "predefined_metric_specification": {"predefined_metric_type": "ASGAverageCPUUtilization"},
        "target_value": CPU_TARGET,
    },
)


def floor_at(name, cron, floor):
    """A daily schedule that moves the floor; the maximum stays where it is (-1)."""
    return aws.autoscaling.Schedule(
        name,
        scheduled_action_name=f"{service}-{name}",
        autoscaling_group_name=group.name,
        recurrence=cron,
        time_zone="Etc/UTC",
        min_size=floor,
        max_size=-1,
        desired_capacity=floor,
    )


floor_at("business-hours", "0 7 * * *", DAY_FLOOR)
floor_at("off-hours", "0 20 * * *", NIGHT_FLOOR)

pulumi.export("mediaBucketName", media.id)
pulumi.export("logGroupName", logs.name)
pulumi.export("jobsTableName", jobs.name)
pulumi.export("workerGroupName", group.name)
