"""The transcoder stack, with cost guardrails (reference solution).

Uploads land in the media bucket, an Auto Scaling group of workers transcodes them, a
DynamoDB table tracks the jobs, the workers log to CloudWatch Logs. Every piece pays
only for what the load profile of SPEC.md needs, and a budget says so when it doesn't.
"""

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
team = cfg.require("team")
service = cfg.require("service")
bucket_name = cfg.require("mediaBucketName")
budget_usd = cfg.require("monthlyBudgetUsd")

# R6: the cost-allocation tags every taggable resource carries.
TAGS = {"Team": team, "CostCenter": cfg.require("costCenter"), "Service": service}

# R1: the team's alert topic and a monthly budget that warns on it, twice: when 80 % is
# actually spent, and as soon as the month is forecast to end over the limit.
alerts = aws.sns.Topic("cost-alerts", name=f"{team}-cost-alerts", tags=TAGS)

aws.budgets.Budget(
    "monthly",
    name=f"{team}-{service}-monthly",
    budget_type="COST",
    time_unit="MONTHLY",
    limit_amount=budget_usd,
    limit_unit="USD",
    notifications=[
        aws.budgets.BudgetNotificationArgs(
            notification_type="ACTUAL",
            comparison_operator="GREATER_THAN",
            threshold=80,
            threshold_type="PERCENTAGE",
            subscriber_sns_topic_arns=[alerts.arn],
        ),
        aws.budgets.BudgetNotificationArgs(
            notification_type="FORECASTED",
            comparison_operator="GREATER_THAN",
            threshold=100,
            threshold_type="PERCENTAGE",
            subscriber_sns_topic_arns=[alerts.arn],
        ),
    ],
)

# R2: uploads are read for 90 days, then rarely: IA after 30 days, Glacier after 90.
media = aws.s3.Bucket("media", bucket=bucket_name, tags=TAGS)
versioning = aws.s3.BucketVersioning(
    "media",
    bucket=media.id,
    versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
)
aws.s3.BucketLifecycleConfiguration(
    "media",
    bucket=media.id,
    rules=[
        aws.s3.BucketLifecycleConfigurationRuleArgs(
            id="uploads-age-out",
            status="Enabled",
            filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix="uploads/"),
            transitions=[
                aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(
                    days=30, storage_class="STANDARD_IA"
                ),
                aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(
                    days=90, storage_class="GLACIER"
                ),
            ],
        ),
        # Old versions and abandoned parts of every key: nobody reads them.
        aws.s3.BucketLifecycleConfigurationRuleArgs(
            id="housekeeping",
            status="Enabled",
            noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                noncurrent_days=30
            ),
            abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                days_after_initiation=7
            ),
        ),
    ],
    opts=pulumi.ResourceOptions(depends_on=[versioning]),
)

# R3: a month of logs is enough to debug; older lines cost storage and nothing else.
logs = aws.cloudwatch.LogGroup(
    "workers", name=f"/{team}/{service}", retention_in_days=30, tags=TAGS
)

# R5: job traffic is spiky and small: on demand, and items expire 30 days after the job.
jobs = aws.dynamodb.Table(
    "jobs",
    name=f"{service}-jobs",
    billing_mode="PAY_PER_REQUEST",
    hash_key="jobId",
    attributes=[aws.dynamodb.TableAttributeArgs(name="jobId", type="S")],
    ttl=aws.dynamodb.TableTtlArgs(attribute_name="expiresAt", enabled=True),
    tags=TAGS,
)

# R4: compute-optimized, current generation; the workers are CPU-bound.
template = aws.ec2.LaunchTemplate(
    "workers",
    name=f"{service}-workers",
    image_id=cfg.require("imageId"),
    instance_type="c7i.xlarge",
    tags=TAGS,
)

# 12 x c7i.xlarge = USD 2.14 an hour at most, and 1440 jobs an hour: twice the peak.
group = aws.autoscaling.Group(
    "workers",
    name=f"{service}-workers",
    min_size=2,
    max_size=12,
    availability_zones=["us-east-1a", "us-east-1b"],
    launch_template=aws.autoscaling.GroupLaunchTemplateArgs(id=template.id, version="$Latest"),
    tags=[
        aws.autoscaling.GroupTagArgs(key=k, value=v, propagate_at_launch=True)
        for k, v in TAGS.items()
    ],
)

aws.autoscaling.Policy(
    "cpu-target",
    name=f"{service}-cpu-60",
    autoscaling_group_name=group.name,
    policy_type="TargetTrackingScaling",
    target_tracking_configuration=aws.autoscaling.PolicyTargetTrackingConfigurationArgs(
        predefined_metric_specification=aws.autoscaling.PolicyTargetTrackingConfigurationPredefinedMetricSpecificationArgs(
            predefined_metric_type="ASGAverageCPUUtilization"
        ),
        target_value=60,
    ),
)

# The floor moves with the working day: 4 warm instances from 07:00 UTC, the HA
# minimum of 2 from 20:00 UTC.
aws.autoscaling.Schedule(
    "business-hours",
    scheduled_action_name="business-hours-floor",
    autoscaling_group_name=group.name,
    recurrence="0 7 * * *",
    min_size=4,
    max_size=12,
    desired_capacity=4,
)
aws.autoscaling.Schedule(
    "off-hours",
    scheduled_action_name="off-hours-scale-in",
    autoscaling_group_name=group.name,
    recurrence="0 20 * * *",
    min_size=2,
    max_size=12,
    desired_capacity=2,
)

pulumi.export("budgetTopicArn", alerts.arn)
pulumi.export("mediaBucketName", media.id)
pulumi.export("logGroupName", logs.name)
pulumi.export("jobsTableName", jobs.name)
pulumi.export("workerGroupName", group.name)
