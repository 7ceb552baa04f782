"""The transcoder stack, as it runs today.

Uploads land in the media bucket, an Auto Scaling group of workers transcodes them, a
DynamoDB table tracks the jobs, the workers log to CloudWatch Logs. It works, and it
costs twice what it did last quarter. See SPEC.md.
"""

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
team = cfg.require("team")
service = cfg.require("service")
bucket_name = cfg.require("mediaBucketName")

# TODO(R6): cost-allocation tags (Team, CostCenter, Service) on everything taggable.
TAGS = {"Name": service}

# TODO(R1): a monthly budget of monthlyBudgetUsd, with actual and forecasted alerts to
# the team's SNS topic. Finance found out about the last bill from the invoice.

# TODO(R2): uploads never leave S3 Standard, and every old version stays forever.
media = aws.s3.Bucket("media", bucket=bucket_name, tags=TAGS)
aws.s3.BucketVersioning(
    "media",
    bucket=media.id,
    versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
)

# TODO(R3): "never expire".
logs = aws.cloudwatch.LogGroup("workers", name=f"/{team}/{service}", tags=TAGS)

# TODO(R5): provisioned for the peak, all day; finished jobs stay forever.
jobs = aws.dynamodb.Table(
    "jobs",
    name=f"{service}-jobs",
    billing_mode="PROVISIONED",
    read_capacity=50,
    write_capacity=50,
    hash_key="jobId",
    attributes=[aws.dynamodb.TableAttributeArgs(name="jobId", type="S")],
    tags=TAGS,
)

# TODO(R4): the instance type the fleet was born with.
template = aws.ec2.LaunchTemplate(
    "workers",
    name=f"{service}-workers",
    image_id=cfg.require("imageId"),
    instance_type="c5.2xlarge",
    tags=TAGS,
)

# TODO(R4, R7): sized for the yearly peak, around the clock. No scaling policy, no
# schedule.
group = aws.autoscaling.Group(
    "workers",
    name=f"{service}-workers",
    min_size=12,
    max_size=12,
    availability_zones=["us-east-1a", "us-east-1b"],
    launch_template=aws.autoscaling.GroupLaunchTemplateArgs(id=template.id, version="$Latest"),
)

pulumi.export("mediaBucketName", media.id)
pulumi.export("logGroupName", logs.name)
pulumi.export("jobsTableName", jobs.name)
pulumi.export("workerGroupName", group.name)
