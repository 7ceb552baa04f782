"""Style: plain functions, ``pulumi.Output.json_dumps`` and key policies that name the role.

Policies are built as Python structures holding outputs and serialised with
``pulumi.Output.json_dumps``. Each KMS key policy grants the account's administrators
and, in a second statement, lets the replication role use the key for exactly what
replication needs (the belt-and-braces many security reviews ask for). The health
alarm is an M-of-N alarm (3 of 6 one-minute periods), the replication role's
permission statements are grouped by resource (bucket, objects, replicas, keys) and
the record names carry the zone's trailing dot.
"""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
PRIMARY_REGION = config.require("primaryRegion")
SECONDARY_REGION = config.require("secondaryRegion")
DOMAIN = config.require("domain")
OWNER = config.require("owner")
SERVICE = config.require("service")

primary_provider = aws.Provider("provider-primary", region=PRIMARY_REGION)
secondary_provider = aws.Provider("provider-secondary", region=SECONDARY_REGION)


def opts_in(provider: aws.Provider, *depends_on: pulumi.Resource) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(provider=provider, depends_on=list(depends_on))


def labels(region_role: str) -> dict[str, str]:
    return {"owner": OWNER, "service": SERVICE, "region-role": region_role}


account_id = aws.get_caller_identity(
    opts=pulumi.InvokeOptions(provider=primary_provider)
).account_id
partition = aws.get_partition(opts=pulumi.InvokeOptions(provider=primary_provider)).partition

replication_role = aws.iam.Role(
    "orders-replication",
    description="Assumed by S3 to replicate orders/ to the standby region",
    assume_role_policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "S3Replication",
                    "Effect": "Allow",
                    "Principal": {"Service": ["s3.amazonaws.com"]},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
    tags=labels("global"),
    opts=opts_in(primary_provider),
)


def customer_key(
    name: str, region_role: str, provider: aws.Provider, role_actions: list[str]
) -> aws.kms.Key:
    policy = pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "KeyAdministration",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Sid": "ReplicationUse",
                    "Effect": "Allow",
                    "Principal": {"AWS": replication_role.arn},
                    "Action": role_actions,
                    "Resource": "*",
                },
            ],
        }
    )
    return aws.kms.Key(
        name,
        description=f"{SERVICE} orders, {region_role} region",
        enable_key_rotation=True,
        deletion_window_in_days=10,
        policy=policy,
        tags=labels(region_role),
        opts=opts_in(provider),
    )


def orders_bucket(name: str, region_role: str, provider: aws.Provider, key: aws.kms.Key):
    bucket = aws.s3.Bucket(
        name, force_destroy=True, tags=labels(region_role), opts=opts_in(provider)
    )
    versioning = aws.s3.BucketVersioning(
        f"{name}-versioning",
        bucket=bucket.id,
        versioning_configuration={"status": "Enabled"},
        opts=opts_in(provider),
    )
    aws.s3.BucketPublicAccessBlock(
        f"{name}-public-access-block",
        bucket=bucket.id,
        block_public_acls=True,
        ignore_public_acls=True,
        block_public_policy=True,
        restrict_public_buckets=True,
        opts=opts_in(provider),
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-default-encryption",
        bucket=bucket.id,
        rules=[
            {
                "apply_server_side_encryption_by_default": {
                    "kms_master_key_id": key.arn,
                    "sse_algorithm": "aws:kms",
                }
            }
        ],
        opts=opts_in(provider),
    )
    return bucket, versioning


source_key = customer_key("orders-key-primary", "primary", primary_provider, ["kms:Decrypt"])
replica_key = customer_key(
    "orders-key-secondary", "secondary", secondary_provider, ["kms:Encrypt", "kms:GenerateDataKey"]
)
source, source_versioning = orders_bucket("orders-primary", "primary", primary_provider, source_key)
replica, replica_versioning = orders_bucket(
    "orders-secondary", "secondary", secondary_provider, replica_key
)

aws.iam.RolePolicy(
    "orders-replication-permissions",
    role=replication_role.name,
    policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "OnTheSourceBucket",
                    "Effect": "Allow",
                    "Action": ["s3:ListBucket", "s3:GetReplicationConfiguration"],
                    "Resource": [source.arn],
                },
                {
                    "Sid": "OnTheSourceObjects",
                    "Effect": "Allow",
                    "Action": [
                        "s3:GetObjectVersionTagging",
                        "s3:GetObjectVersionAcl",
                        "s3:GetObjectVersionForReplication",
                    ],
                    "Resource": [pulumi.Output.format("{0}/*", source.arn)],
                },
                {
                    "Sid": "OnTheReplicaObjects",
                    "Effect": "Allow",
                    "Action": ["s3:ReplicateTags", "s3:ReplicateObject", "s3:ReplicateDelete"],
                    "Resource": [pulumi.Output.format("{0}/*", replica.arn)],
                },
                {
                    "Sid": "OnTheSourceKey",
                    "Effect": "Allow",
                    "Action": ["kms:Decrypt"],
                    "Resource": [source_key.arn],
                },
                {
                    "Sid": "OnTheReplicaKey",
                    "Effect": "Allow",
                    "Action": ["kms:GenerateDataKey", "kms:Encrypt"],
                    "Resource": [replica_key.arn],
                },
            ],
        }
    ),
    opts=opts_in(primary_provider),
)

aws.s3.BucketReplicationConfig(
    "orders-primary-replication",
    bucket=source.id,
    role=replication_role.arn,
    rules=[
        {
            "id": "orders-rto-rpo",
            "status": "Enabled",
            "priority": 10,
            "filter": {"prefix": "orders/"},
            "source_selection_criteria": {"sse_kms_encrypted_objects": {"status": "Enabled"}},
            "delete_marker_replication": {"status": "Enabled"},
            "destination": {
                "bucket": replica.arn,
                "encryption_configuration": {"replica_kms_key_id": replica_key.arn},
                "metrics": {"status": "Enabled", "event_threshold": {"minutes": 15}},
                "replication_time": {"status": "Enabled", "time": {"minutes": 15}},
            },
        }
    ],
    opts=opts_in(primary_provider, source_versioning, replica_versioning),
)

secret = aws.secretsmanager.Secret(
    "payment-provider-api-key",
    kms_key_id=source_key.arn,
    replicas=[{"kms_key_id": replica_key.arn, "region": SECONDARY_REGION}],
    tags=labels("primary"),
    opts=opts_in(primary_provider),
)
aws.secretsmanager.SecretVersion(
    "payment-provider-api-key-current",
    secret_id=secret.id,
    secret_string=config.require_secret("paymentApiKey"),
    opts=opts_in(primary_provider),
)

on_call = aws.sns.Topic("on-call-pages", tags=labels("primary"), opts=opts_in(primary_provider))
availability = aws.cloudwatch.MetricAlarm(
    "primary-availability",
    namespace="Acme/Checkout",
    metric_name="ApiAvailability",
    dimensions={"Region": PRIMARY_REGION},
    statistic="Minimum",
    period=60,
    evaluation_periods=6,
    datapoints_to_alarm=3,
    threshold=1.0,
    comparison_operator="LessThanThreshold",
    treat_missing_data="breaching",
    alarm_actions=[on_call.arn],
    ok_actions=[on_call.arn],
    tags=labels("primary"),
    opts=opts_in(primary_provider),
)

zone = aws.route53.Zone(
    "checkout-zone",
    name=DOMAIN,
    force_destroy=True,
    tags=labels("global"),
    opts=opts_in(primary_provider),
)
primary_check = aws.route53.HealthCheck(
    "primary-availability-check",
    type="CLOUDWATCH_METRIC",
    cloudwatch_alarm_name=availability.name,
    cloudwatch_alarm_region=PRIMARY_REGION,
    insufficient_data_health_status="Unhealthy",
    tags=labels("global"),
    opts=opts_in(primary_provider),
)
SERVICE_NAME = f"api.{DOMAIN}"
aws.route53.Record(
    "service-primary",
    zone_id=zone.zone_id,
    name=f"{SERVICE_NAME}.",
    type="A",
    ttl=45,
    records=[config.require("primaryEndpoint")],
    set_identifier="us-primary",
    failover_routing_policies=[{"type": "PRIMARY"}],
    health_check_id=primary_check.id,
    opts=opts_in(primary_provider),
)
aws.route53.Record(
    "service-secondary",
    zone_id=zone.zone_id,
    name=f"{SERVICE_NAME}.",
    type="A",
    ttl=45,
    records=[config.require("secondaryEndpoint")],
    set_identifier="us-standby",
    failover_routing_policies=[{"type": "SECONDARY"}],
    opts=opts_in(secondary_provider),
)

pulumi.export("primaryBucketName", source.bucket)
pulumi.export("secondaryBucketName", replica.bucket)
pulumi.export("primaryKeyArn", source_key.arn)
pulumi.export("secondaryKeyArn", replica_key.arn)
pulumi.export("replicationRoleArn", replication_role.arn)
pulumi.export("paymentSecretArn", secret.arn)
pulumi.export("pagingTopicArn", on_call.arn)
pulumi.export("zoneId", zone.zone_id)
pulumi.export("serviceName", SERVICE_NAME)
pulumi.export("healthAlarmName", availability.name)
pulumi.export("healthCheckId", primary_check.id)
