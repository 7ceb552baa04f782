"""Style: a table of regions and a loop.

Both regions are rows of one ``REGIONS`` table and every regional resource is built in
a loop over it. The replication role gets a managed ``aws.iam.Policy`` plus a
``RolePolicyAttachment`` instead of an inline policy; its trust policy lists the
service principal (``{"Service": ["s3.amazonaws.com"]}``); action names are written
in the case AWS documents for some services in its examples (``S3:ListBucket``) —
IAM compares them case-insensitively. Buckets and the secret name their KMS keys by
key id, which S3 and Secrets Manager accept as well as the ARN.
"""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
domain = config.require("domain")
owner = config.require("owner")
service = config.require("service")

REGIONS = {
    "primary": {
        "region": config.require("primaryRegion"),
        "endpoint": config.require("primaryEndpoint"),
        "failover": "PRIMARY",
    },
    "secondary": {
        "region": config.require("secondaryRegion"),
        "endpoint": config.require("secondaryEndpoint"),
        "failover": "SECONDARY",
    },
}
GLOBAL_TAGS = {"owner": owner, "service": service, "region-role": "global"}

providers: dict[str, aws.Provider] = {}
keys: dict[str, aws.kms.Key] = {}
buckets: dict[str, aws.s3.Bucket] = {}
versionings: dict[str, aws.s3.BucketVersioning] = {}

for role, row in REGIONS.items():
    provider = aws.Provider(f"aws-{role}", region=row["region"])
    opts = pulumi.ResourceOptions(provider=provider)
    tags = {"owner": owner, "service": service, "region-role": role}
    account = aws.get_caller_identity_output(
        opts=pulumi.InvokeOutputOptions(provider=provider)
    ).account_id
    key = aws.kms.Key(
        f"{role}-key",
        description=f"{service} {role} data",
        enable_key_rotation=True,
        rotation_period_in_days=180,
        policy=account.apply(
            lambda acct: json.dumps(
                {
                    "Version": "2012-10-17",
                    "Id": "key-default",
                    "Statement": [
                        {
                            "Sid": "Enable IAM User Permissions",
                            "Effect": "Allow",
                            "Principal": {"AWS": [f"arn:aws:iam::{acct}:root"]},
                            "Action": ["kms:*"],
                            "Resource": ["*"],
                        }
                    ],
                }
            )
        ),
        tags=tags,
        opts=opts,
    )
    bucket = aws.s3.Bucket(f"{role}-orders", tags=tags, force_destroy=True, opts=opts)
    versionings[role] = aws.s3.BucketVersioning(
        f"{role}-orders-versioning",
        bucket=bucket.id,
        versioning_configuration={"status": "Enabled"},
        opts=opts,
    )
    aws.s3.BucketPublicAccessBlock(
        f"{role}-orders-pab",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=opts,
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{role}-orders-sse",
        bucket=bucket.id,
        rules=[
            {
                "apply_server_side_encryption_by_default": {
                    "sse_algorithm": "aws:kms",
                    "kms_master_key_id": key.id,
                }
            }
        ],
        opts=opts,
    )
    providers[role], keys[role], buckets[role] = provider, key, bucket

primary_opts = pulumi.ResourceOptions(provider=providers["primary"])

replication_role = aws.iam.Role(
    "replication-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": ["s3.amazonaws.com"]},
                    "Action": ["sts:AssumeRole"],
                }
            ],
        }
    ),
    tags=GLOBAL_TAGS,
    opts=primary_opts,
)


def replication_policy(src: str, dst: str, src_key: str, dst_key: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["S3:GetReplicationConfiguration", "S3:ListBucket"],
                    "Resource": [src],
                },
                {
                    "Effect": "Allow",
                    "Action": [
                        "S3:GetObjectVersionForReplication",
                        "S3:GetObjectVersionAcl",
                        "S3:GetObjectVersionTagging",
                    ],
                    "Resource": [f"{src}/*"],
                },
                {
                    "Effect": "Allow",
                    "Action": ["S3:ReplicateObject", "S3:ReplicateDelete", "S3:ReplicateTags"],
                    "Resource": [f"{dst}/*"],
                },
                {"Effect": "Allow", "Action": ["KMS:Decrypt"], "Resource": [src_key]},
                {
                    "Effect": "Allow",
                    "Action": ["KMS:Encrypt", "KMS:GenerateDataKey"],
                    "Resource": [dst_key],
                },
            ],
        }
    )


managed = aws.iam.Policy(
    "replication-policy",
    description="S3 replication of orders/ to the standby bucket",
    policy=pulumi.Output.all(
        buckets["primary"].arn, buckets["secondary"].arn, keys["primary"].arn, keys["secondary"].arn
    ).apply(lambda a: replication_policy(*a)),
    tags=GLOBAL_TAGS,
    opts=primary_opts,
)
aws.iam.RolePolicyAttachment(
    "replication-policy-attachment",
    role=replication_role.name,
    policy_arn=managed.arn,
    opts=primary_opts,
)

aws.s3.BucketReplicationConfig(
    "orders-replication",
    bucket=buckets["primary"].id,
    role=replication_role.arn,
    rules=[
        {
            "id": "orders",
            "priority": 1,
            "status": "Enabled",
            "filter": {"prefix": "orders/"},
            "delete_marker_replication": {"status": "Enabled"},
            "source_selection_criteria": {"sse_kms_encrypted_objects": {"status": "Enabled"}},
            "destination": {
                "bucket": buckets["secondary"].arn,
                "storage_class": "STANDARD",
                "encryption_configuration": {"replica_kms_key_id": keys["secondary"].arn},
                "replication_time": {"status": "Enabled", "time": {"minutes": 15}},
                "metrics": {"status": "Enabled", "event_threshold": {"minutes": 15}},
            },
        }
    ],
    opts=pulumi.ResourceOptions(
        provider=providers["primary"], depends_on=list(versionings.values())
    ),
)

secret = aws.secretsmanager.Secret(
    "payment-api-key",
    kms_key_id=keys["primary"].id,
    replicas=[{"region": REGIONS["secondary"]["region"], "kms_key_id": keys["secondary"].id}],
    recovery_window_in_days=0,
    tags={"owner": owner, "service": service, "region-role": "primary"},
    opts=primary_opts,
)
aws.secretsmanager.SecretVersion(
    "payment-api-key-value",
    secret_id=secret.arn,
    secret_string=config.require_secret("paymentApiKey"),
    opts=primary_opts,
)

primary_tags = {"owner": owner, "service": service, "region-role": "primary"}
topic = aws.sns.Topic("pages", tags=primary_tags, opts=primary_opts)
alarm = aws.cloudwatch.MetricAlarm(
    "api-availability",
    alarm_description="Checkout API in the primary region stopped answering",
    namespace="Acme/Checkout",
    metric_name="ApiAvailability",
    dimensions={"Region": REGIONS["primary"]["region"]},
    statistic="Average",
    period=60,
    evaluation_periods=5,
    datapoints_to_alarm=2,
    threshold=1,
    comparison_operator="LessThanThreshold",
    treat_missing_data="breaching",
    actions_enabled=True,
    alarm_actions=[topic.arn],
    ok_actions=[topic.arn],
    tags=primary_tags,
    opts=primary_opts,
)

zone = aws.route53.Zone(
    "zone", name=domain, force_destroy=True, tags=GLOBAL_TAGS, opts=primary_opts
)
check = aws.route53.HealthCheck(
    "primary-alarm-check",
    type="CLOUDWATCH_METRIC",
    cloudwatch_alarm_name=alarm.name,
    cloudwatch_alarm_region=REGIONS["primary"]["region"],
    insufficient_data_health_status="Unhealthy",
    tags=GLOBAL_TAGS,
    opts=primary_opts,
)
service_name = f"api.{domain}"
for role, row in REGIONS.items():
    aws.route53.Record(
        f"api-{role}",
        zone_id=zone.zone_id,
        name=service_name,
        type="A",
        ttl=30,
        records=[row["endpoint"]],
        set_identifier=f"{service}-{role}",
        failover_routing_policies=[{"type": row["failover"]}],
        health_check_id=check.id if role == "primary" else None,
        opts=pulumi.ResourceOptions(provider=providers[role]),
    )

pulumi.export("primaryBucketName", buckets["primary"].bucket)
pulumi.export("secondaryBucketName", buckets["secondary"].bucket)
pulumi.export("primaryKeyArn", keys["primary"].arn)
pulumi.export("secondaryKeyArn", keys["secondary"].arn)
pulumi.export("replicationRoleArn", replication_role.arn)
pulumi.export("paymentSecretArn", secret.arn)
pulumi.export("pagingTopicArn", topic.arn)
pulumi.export("zoneId", zone.zone_id)
pulumi.export("serviceName", service_name)
pulumi.export("healthAlarmName", alarm.name)
pulumi.export("healthCheckId", check.id)
