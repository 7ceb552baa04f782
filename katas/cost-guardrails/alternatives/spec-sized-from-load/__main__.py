"""The transcoder stack with cost guardrails, written from SPEC.md alone.

Style: the fleet is sized by arithmetic on the load profile (a frozen dataclass), the
group launches through a mixed instances policy, schedules are written in the team's
local time (Africa/Johannesburg, UTC+2 all year), one lifecycle rule covers the whole
bucket, and the topic policy comes from aws.iam.get_policy_document.
"""

import math
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
service = cfg.require("service")
team = cfg.require("team")

TAGS = {
    "Team": team,
    "CostCenter": cfg.require("costCenter"),
    "Service": service,
}

# Jobs arriving per hour (UTC), every day of the week alike (SPEC, load profile).
LOAD = [40] * 6 + [120, 300] + [600] * 4 + [720] * 5 + [480] * 3 + [120] * 4
BUSINESS_HOURS = range(7, 20)


@dataclass(frozen=True)
class Fleet:
    """Sizes derived from an instance type, its price and a CPU target."""

    instance_type: str
    vcpus: int
    hourly_usd: float
    cpu_target: float
    spend_ceiling_usd: float = 2.50

    @property
    def jobs_at_target(self) -> float:
        # 30 jobs an hour per vCPU at 100 % CPU, scaled to the utilization we aim for.
        return self.vcpus * 30 * self.cpu_target / 100

    @property
    def peak_need(self) -> int:
        return math.ceil(max(LOAD) / self.jobs_at_target)

    @property
    def max_size(self) -> int:
        # The most instances whose hourly bill stays under the ceiling.
        return math.floor(self.spend_ceiling_usd / self.hourly_usd)


# Bigger Graviton instances: fewer of them cover the peak, and c6g is the cheapest
# per vCPU of the allowed families.
FLEET = Fleet("c6g.2xlarge", vcpus=8, hourly_usd=0.272, cpu_target=50.0)
assert FLEET.peak_need <= FLEET.max_size, "the maximum cannot reach the peak (SLO)"
HA_FLOOR = 2
DAY_FLOOR = 4
assert len(LOAD) == 24 and len(BUSINESS_HOURS) == 13

# ------------------------------------------------------------------ alerts and budget
topic = aws.sns.Topic("team-alerts", name=f"{team}-{service}-alerts", tags=TAGS)

publish_from_budgets = aws.iam.get_policy_document_output(
    statements=[
        {
            "sid": "BudgetsPublish",
            "actions": ["sns:Publish"],
            "principals": [{"type": "Service", "identifiers": ["budgets.amazonaws.com"]}],
            "resources": [topic.arn],
        }
    ]
)
aws.sns.TopicPolicy("team-alerts", arn=topic.arn, policy=publish_from_budgets.json)

aws.budgets.Budget(
    "transcoder-monthly",
    budget_type="COST",
    time_unit="MONTHLY",
    limit_amount=cfg.require("monthlyBudgetUsd"),
    limit_unit="USD",
    notifications=[
        aws.budgets.BudgetNotificationArgs(
            notification_type=kind,
            comparison_operator="GREATER_THAN",
            threshold=threshold,
            threshold_type="PERCENTAGE",
            subscriber_sns_topic_arns=[topic.arn],
            # The finance mailbox hears too; the topic is what pages the team.
            subscriber_email_addresses=["finops@acme.example"],
        )
        for kind, threshold in (("ACTUAL", 80), ("FORECASTED", 100))
    ],
)

# ------------------------------------------------------------------ media storage
bucket = aws.s3.Bucket("media-uploads", bucket=cfg.require("mediaBucketName"), tags=TAGS)
versioned = aws.s3.BucketVersioning(
    "media-uploads",
    bucket=bucket.id,
    versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
)
# One rule for the whole bucket: renditions age out like uploads, which costs nothing in
# reads (they are served from the first weeks), and versions and parts of any key are
# covered by the same rule.
aws.s3.BucketLifecycleConfiguration(
    "media-uploads",
    bucket=bucket.id,
    rules=[
        aws.s3.BucketLifecycleConfigurationRuleArgs(
            id="whole-bucket",
            status="Enabled",
            filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
            transitions=[
                # Half the price from day 30, the earliest S3 allows for Standard-IA.
                aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(
                    days=30, storage_class="STANDARD_IA"
                ),
                # Well after the 90-day re-read window; no expiration: kept indefinitely.
                aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(
                    days=120, storage_class="GLACIER"
                ),
            ],
            noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                noncurrent_days=30
            ),
            abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                days_after_initiation=7
            ),
        )
    ],
    opts=pulumi.ResourceOptions(depends_on=[versioned]),
)

# ------------------------------------------------------------------ logs
# Workers and the transcoder's error stream; both expire at the 30-day limit.
log_groups = {
    name: aws.cloudwatch.LogGroup(
        f"log-{name}", name=f"/{team}/{service}/{name}", retention_in_days=30, tags=TAGS
    )
    for name in ("workers", "errors")
}

# ------------------------------------------------------------------ jobs table
table = aws.dynamodb.Table(
    "jobs-table",
    name=f"{service}-jobs",
    billing_mode="PAY_PER_REQUEST",
    hash_key="jobId",
    range_key="createdAt",
    attributes=[
        aws.dynamodb.TableAttributeArgs(name="jobId", type="S"),
        aws.dynamodb.TableAttributeArgs(name="createdAt", type="N"),
    ],
    ttl=aws.dynamodb.TableTtlArgs(attribute_name="expiresAt", enabled=True),
    tags=TAGS,
)

# ------------------------------------------------------------------ fleet
lt = aws.ec2.LaunchTemplate(
    "worker-template",
    name_prefix=f"{service}-",
    image_id=cfg.require("imageId"),
    instance_type=FLEET.instance_type,
    tags=TAGS,
)

asg = aws.autoscaling.Group(
    "worker-fleet",
    name=f"{service}-fleet",
    min_size=HA_FLOOR,
    max_size=FLEET.max_size,
    availability_zones=["us-east-1a", "us-east-1b"],
    # The template by name and its default version: the same template as by id, and a
    # new version only goes live when someone makes it the default.
    launch_template=aws.autoscaling.GroupLaunchTemplateArgs(name=lt.name, version="$Default"),
    # Propagated at launch: instances are most of the bill and must say who pays.
    tags=[
        aws.autoscaling.GroupTagArgs(key=k, value=v, propagate_at_launch=True)
        for k, v in TAGS.items()
    ],
)

aws.autoscaling.Policy(
    "worker-cpu-target",
    autoscaling_group_name=asg.name,
    policy_type="TargetTrackingScaling",
    target_tracking_configuration=aws.autoscaling.PolicyTargetTrackingConfigurationArgs(
        predefined_metric_specification=aws.autoscaling.PolicyTargetTrackingConfigurationPredefinedMetricSpecificationArgs(
            predefined_metric_type="ASGAverageCPUUtilization",
        ),
        target_value=FLEET.cpu_target,
    ),
)

# The team writes schedules in its own time: Johannesburg is UTC+2 and has no daylight
# saving, so 09:00 there is 07:00 UTC and 22:00 is 20:00 UTC every day of the year.
# Only the floor moves (-1 leaves the maximum and desired capacity alone).
for action, local_hour, floor in (("day-floor", 9, DAY_FLOOR), ("night-floor", 22, HA_FLOOR)):
    aws.autoscaling.Schedule(
        action,
        scheduled_action_name=action,
        autoscaling_group_name=asg.name,
        recurrence=f"0 {local_hour} * * *",
        time_zone="Africa/Johannesburg",
        min_size=floor,
        max_size=-1,
        desired_capacity=-1,
    )

pulumi.export("mediaBucketName", bucket.id)
pulumi.export("logGroupName", log_groups["workers"].name)
pulumi.export("jobsTableName", table.name)
pulumi.export("workerGroupName", asg.name)
