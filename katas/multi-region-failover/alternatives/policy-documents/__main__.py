"""Style: policy documents as data, KMS keys by alias.

Key policies come from ``aws.iam.get_policy_document_output``; the replication role's
trust and permission policies are Python dicts handed straight to pulumi-aws 7 (which
accepts a dict for ``assume_role_policy`` and ``policy``), with resource outputs inside.
Each KMS key gets an alias in its own region and the secret, its replica and the
buckets' default encryption name the key through it (``alias/…`` or the alias ARN),
as many teams do so a key can be rotated out behind a stable name. One statement per
permission, as a reviewer reads them.
"""

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
primary_region = cfg.require("primaryRegion")
secondary_region = cfg.require("secondaryRegion")
domain = cfg.require("domain")
owner = cfg.require("owner")
service = cfg.require("service")

east = aws.Provider("east", region=primary_region)
west = aws.Provider("west", region=secondary_region)
in_east = pulumi.ResourceOptions(provider=east)
in_west = pulumi.ResourceOptions(provider=west)


def tags(region_role: str) -> dict[str, str]:
    return {"owner": owner, "service": service, "region-role": region_role}


caller = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(provider=east))
key_policy = aws.iam.get_policy_document_output(
    statements=[
        {
            "sid": "AccountAdmin",
            "effect": "Allow",
            "principals": [
                {
                    "type": "AWS",
                    "identifiers": [caller.account_id.apply(lambda a: f"arn:aws:iam::{a}:root")],
                }
            ],
            "actions": ["kms:*"],
            "resources": ["*"],
        }
    ],
    opts=pulumi.InvokeOutputOptions(provider=east),
)


def store(role: str, opts: pulumi.ResourceOptions):
    key = aws.kms.Key(
        f"{role}-cmk", enable_key_rotation=True, policy=key_policy.json, tags=tags(role), opts=opts
    )
    alias = aws.kms.Alias(
        f"{role}-cmk-alias", name=f"alias/{service}-{role}", target_key_id=key.key_id, opts=opts
    )
    bucket = aws.s3.Bucket(f"{role}-bucket", force_destroy=True, tags=tags(role), opts=opts)
    versioning = aws.s3.BucketVersioning(
        f"{role}-bucket-versioning",
        bucket=bucket.bucket,
        versioning_configuration={"status": "Enabled"},
        opts=opts,
    )
    aws.s3.BucketPublicAccessBlock(
        f"{role}-bucket-block",
        bucket=bucket.bucket,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=opts,
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{role}-bucket-sse",
        bucket=bucket.bucket,
        rules=[
            {
                "apply_server_side_encryption_by_default": {
                    "sse_algorithm": "aws:kms",
                    "kms_master_key_id": alias.arn,
                }
            }
        ],
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[alias])),
    )
    return key, alias, bucket, versioning


primary_key, primary_alias, primary_bucket, primary_versioning = store("primary", in_east)
standby_key, standby_alias, standby_bucket, standby_versioning = store("secondary", in_west)

role = aws.iam.Role(
    "s3-replication",
    assume_role_policy={
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "s3.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    },
    tags=tags("global"),
    opts=in_east,
)
aws.iam.RolePolicy(
    "s3-replication-permissions",
    role=role.name,
    policy={
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "SourceConfig",
                "Effect": "Allow",
                "Action": "s3:GetReplicationConfiguration",
                "Resource": primary_bucket.arn,
            },
            {
                "Sid": "SourceList",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": primary_bucket.arn,
            },
            {
                "Sid": "SourceVersions",
                "Effect": "Allow",
                "Action": [
                    "s3:GetObjectVersionForReplication",
                    "s3:GetObjectVersionAcl",
                    "s3:GetObjectVersionTagging",
                ],
                "Resource": pulumi.Output.concat(primary_bucket.arn, "/*"),
            },
            {
                "Sid": "Replicas",
                "Effect": "Allow",
                "Action": ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
                "Resource": pulumi.Output.concat(standby_bucket.arn, "/*"),
            },
            {
                "Sid": "SourceKey",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": primary_key.arn,
            },
            {
                "Sid": "ReplicaKeyEncrypt",
                "Effect": "Allow",
                "Action": "kms:Encrypt",
                "Resource": standby_key.arn,
            },
            {
                "Sid": "ReplicaKeyDataKey",
                "Effect": "Allow",
                "Action": "kms:GenerateDataKey",
                "Resource": standby_key.arn,
            },
        ],
    },
    opts=in_east,
)

aws.s3.BucketReplicationConfig(
    "orders-crr",
    bucket=primary_bucket.bucket,
    role=role.arn,
    rules=[
        {
            "id": "orders-only",
            "status": "Enabled",
            "filter": {"prefix": "orders/"},
            "delete_marker_replication": {"status": "Enabled"},
            "source_selection_criteria": {"sse_kms_encrypted_objects": {"status": "Enabled"}},
            "destination": {
                "bucket": standby_bucket.arn,
                "encryption_configuration": {"replica_kms_key_id": standby_alias.arn},
                "replication_time": {"status": "Enabled", "time": {"minutes": 15}},
                "metrics": {"status": "Enabled", "event_threshold": {"minutes": 15}},
            },
        }
    ],
    opts=pulumi.ResourceOptions(provider=east, depends_on=[primary_versioning, standby_versioning]),
)

secret = aws.secretsmanager.Secret(
    "payment-provider-key",
    description=f"{service}: payment provider API key",
    kms_key_id=primary_alias.name,
    replicas=[{"region": secondary_region, "kms_key_id": standby_alias.name}],
    recovery_window_in_days=7,
    tags=tags("primary"),
    opts=in_east,
)
aws.secretsmanager.SecretVersion(
    "payment-provider-key-value",
    secret_id=secret.id,
    secret_string=cfg.require_secret("paymentApiKey"),
    opts=in_east,
)

topic = aws.sns.Topic("on-call", tags=tags("primary"), opts=in_east)
alarm = aws.cloudwatch.MetricAlarm(
    "checkout-primary-down",
    namespace="Acme/Checkout",
    metric_name="ApiAvailability",
    dimensions={"Region": primary_region},
    statistic="Minimum",
    period=60,
    evaluation_periods=3,
    threshold=1,
    comparison_operator="LessThanThreshold",
    treat_missing_data="breaching",
    alarm_actions=[topic.arn],
    ok_actions=[topic.arn],
    tags=tags("primary"),
    opts=in_east,
)

zone = aws.route53.Zone(
    "public-zone", name=domain, force_destroy=True, tags=tags("global"), opts=in_east
)
health = aws.route53.HealthCheck(
    "primary-alarm",
    type="CLOUDWATCH_METRIC",
    cloudwatch_alarm_name=alarm.name,
    cloudwatch_alarm_region=primary_region,
    insufficient_data_health_status="Unhealthy",
    tags=tags("global"),
    opts=in_east,
)
aws.route53.Record(
    "api-primary",
    zone_id=zone.zone_id,
    name="api",
    type="A",
    ttl=60,
    records=[cfg.require("primaryEndpoint")],
    set_identifier="primary",
    failover_routing_policies=[{"type": "PRIMARY"}],
    health_check_id=health.id,
    opts=in_east,
)
aws.route53.Record(
    "api-secondary",
    zone_id=zone.zone_id,
    name="api",
    type="A",
    ttl=60,
    records=[cfg.require("secondaryEndpoint")],
    set_identifier="secondary",
    failover_routing_policies=[{"type": "SECONDARY"}],
    opts=in_west,
)

pulumi.export("primaryBucketName", primary_bucket.bucket)
pulumi.export("secondaryBucketName", standby_bucket.bucket)
pulumi.export("primaryKeyArn", primary_key.arn)
pulumi.export("secondaryKeyArn", standby_key.arn)
pulumi.export("replicationRoleArn", role.arn)
pulumi.export("paymentSecretArn", secret.arn)
pulumi.export("pagingTopicArn", topic.arn)
pulumi.export("zoneId", zone.zone_id)
pulumi.export("serviceName", f"api.{domain}")
pulumi.export("healthAlarmName", alarm.name)
pulumi.export("healthCheckId", health.id)
