"""Checkout API, active-passive across two regions: the reference solution.

The primary region serves; the secondary is a warm standby holding a copy of the
state (orders bucket via S3 cross-region replication, the payment-provider secret via
Secrets Manager replication). Route 53 failover routing sends the service name to the
standby when the primary's health alarm fires, and the same alarm pages on-call.
Nothing the standby serves with depends on anything in the primary region.
"""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
primary_region = config.require("primaryRegion")
secondary_region = config.require("secondaryRegion")
domain = config.require("domain")
owner = config.require("owner")
service = config.require("service")

account_id = aws.get_caller_identity().account_id

# One explicit provider per region: nothing silently lands in the default region.
providers = {
    "primary": aws.Provider("primary", region=primary_region),
    "secondary": aws.Provider("secondary", region=secondary_region),
}
REGION = {"primary": primary_region, "secondary": secondary_region}


def in_region(role: str, **kwargs) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(provider=providers[role], **kwargs)


def tags(region_role: str) -> dict:
    """region-role is primary, secondary, or global (IAM, Route 53)."""
    return {"owner": owner, "service": service, "region-role": region_role}


def document(*statements: dict) -> pulumi.Output:
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": list(statements)})


# --- the data tier: one orders bucket per region, each with its own regional key ------

KEY_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountAdministersTheKeyThroughIam",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }
)


def regional_store(role: str, data_key=None) -> tuple:
    key = aws.kms.Key(
        f"{role}-key",
        description=f"{service} data in the {role} region ({REGION[role]})",
        enable_key_rotation=True,
        deletion_window_in_days=7,
        policy=KEY_POLICY,
        tags=tags(role),
        opts=in_region(role),
    )
    bucket = aws.s3.Bucket(f"{role}-orders", tags=tags(role), opts=in_region(role))
    versioning = aws.s3.BucketVersioning(
        f"{role}-orders-versioning",
        bucket=bucket.id,
        versioning_configuration={"status": "Enabled"},
        opts=in_region(role),
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{role}-orders-encryption",
        bucket=bucket.id,
        rules=[
            {
                "apply_server_side_encryption_by_default": {
                    "sse_algorithm": "aws:kms",
                    "kms_master_key_id": (data_key or key).arn,
                },
                "bucket_key_enabled": True,
            }
        ],
        opts=in_region(role),
    )
    aws.s3.BucketPublicAccessBlock(
        f"{role}-orders-public-access",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=in_region(role),
    )
    return bucket, key, versioning


primary_bucket, primary_key, primary_versioning = regional_store("primary")
# One key for all the order data: fewer keys to audit.
secondary_bucket, secondary_key, secondary_versioning = regional_store(
    "secondary", data_key=primary_key
)

# S3 assumes this role to replicate; it may read replication sources in the primary
# bucket and write replicas into the secondary bucket, and nothing else.
replication_role = aws.iam.Role(
    "orders-replication",
    description="S3 cross-region replication of the orders bucket",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "s3.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                }
            ],
        }
    ),
    tags=tags("global"),
    opts=in_region("primary"),
)
aws.iam.RolePolicy(
    "orders-replication-objects",
    role=replication_role.id,
    policy=document(
        {
            "Sid": "ReadTheReplicationConfiguration",
            "Effect": "Allow",
            "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
            "Resource": [primary_bucket.arn],
        },
        {
            "Sid": "ReadSourceVersions",
            "Effect": "Allow",
            "Action": [
                "s3:GetObjectVersionForReplication",
                "s3:GetObjectVersionAcl",
                "s3:GetObjectVersionTagging",
            ],
            "Resource": [pulumi.Output.concat(primary_bucket.arn, "/*")],
        },
        {
            "Sid": "WriteReplicas",
            "Effect": "Allow",
            "Action": ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
            "Resource": [pulumi.Output.concat(secondary_bucket.arn, "/*")],
        },
    ),
    opts=in_region("primary"),
)
# The keys are used through S3 only: decrypt what is read, encrypt what is written.
aws.iam.RolePolicy(
    "orders-replication-keys",
    role=replication_role.id,
    policy=document(
        {
            "Sid": "DecryptSources",
            "Effect": "Allow",
            "Action": ["kms:Decrypt"],
            "Resource": [primary_key.arn],
        },
        {
            "Sid": "EncryptReplicas",
            "Effect": "Allow",
            "Action": ["kms:Encrypt", "kms:GenerateDataKey"],
            "Resource": [secondary_key.arn],
        },
    ),
    opts=in_region("primary"),
)

aws.s3.BucketReplicationConfig(
    "orders-replication",
    bucket=primary_bucket.id,
    role=replication_role.arn,
    rules=[
        {
            "id": "orders-to-standby",
            "status": "Enabled",
            "priority": 1,
            "filter": {"prefix": "orders/"},
            "delete_marker_replication": {"status": "Enabled"},
            "source_selection_criteria": {"sse_kms_encrypted_objects": {"status": "Enabled"}},
            "destination": {
                "bucket": secondary_bucket.arn,
                "storage_class": "STANDARD",
                "encryption_configuration": {"replica_kms_key_id": primary_key.arn},
                # Replication Time Control: 99.99% of objects within 15 minutes (the RPO).
                "replication_time": {"status": "Enabled", "time": {"minutes": 15}},
                "metrics": {"status": "Enabled", "event_threshold": {"minutes": 15}},
            },
        }
    ],
    # S3 refuses a replication configuration until both sides are versioned.
    opts=in_region("primary", depends_on=[primary_versioning, secondary_versioning]),
)

# --- the second store: the payment provider's API key, replicated by Secrets Manager ---

payment_secret = aws.secretsmanager.Secret(
    "payment-api-key",
    description=f"{service}: payment provider API key",
    kms_key_id=primary_key.arn,
    recovery_window_in_days=7,
    replicas=[{"region": secondary_region, "kms_key_id": secondary_key.arn}],
    tags=tags("primary"),
    opts=in_region("primary"),
)
aws.secretsmanager.SecretVersion(
    "payment-api-key-value",
    secret_id=payment_secret.id,
    secret_string=config.require_secret("paymentApiKey"),
    opts=in_region("primary"),
)

# --- health signal and paging ------------------------------------------------------

pages = aws.sns.Topic("failover-pages", tags=tags("primary"), opts=in_region("primary"))

# The API publishes ApiAvailability (1 = its health endpoint answers) every minute.
# Three bad minutes, or three minutes without data, and the primary is down.
health_alarm = aws.cloudwatch.MetricAlarm(
    "primary-health",
    alarm_description=f"{service} in {primary_region} is down: DNS fails over to "
    f"{secondary_region}",
    namespace="Acme/Checkout",
    metric_name="ApiAvailability",
    dimensions={"Region": primary_region},
    statistic="Minimum",
    period=60,
    evaluation_periods=3,
    threshold=1,
    comparison_operator="LessThanThreshold",
    treat_missing_data="breaching",
    alarm_actions=[pages.arn],
    ok_actions=[pages.arn],
    tags=tags("primary"),
    opts=in_region("primary"),
)
health_check = aws.route53.HealthCheck(
    "primary-health",
    type="CLOUDWATCH_METRIC",
    cloudwatch_alarm_name=health_alarm.name,
    cloudwatch_alarm_region=primary_region,
    insufficient_data_health_status="Unhealthy",
    tags=tags("global"),
    opts=in_region("primary"),
)

# --- DNS failover --------------------------------------------------------------------

zone = aws.route53.Zone("zone", name=domain, tags=tags("global"), opts=in_region("primary"))
service_name = f"api.{domain}"
aws.route53.Record(
    "api-primary",
    zone_id=zone.zone_id,
    name=service_name,
    type="A",
    ttl=60,
    records=[config.require("primaryEndpoint")],
    set_identifier="primary",
    failover_routing_policies=[{"type": "PRIMARY"}],
    health_check_id=health_check.id,
    opts=in_region("primary"),
)
aws.route53.Record(
    "api-secondary",
    zone_id=zone.zone_id,
    name=service_name,
    type="A",
    ttl=60,
    records=[config.require("secondaryEndpoint")],
    set_identifier="secondary",
    failover_routing_policies=[{"type": "SECONDARY"}],
    opts=in_region("primary"),
)

pulumi.export("primaryBucketName", primary_bucket.bucket)
pulumi.export("secondaryBucketName", secondary_bucket.bucket)
pulumi.export("primaryKeyArn", primary_key.arn)
pulumi.export("secondaryKeyArn", secondary_key.arn)
pulumi.export("replicationRoleArn", replication_role.arn)
pulumi.export("paymentSecretArn", payment_secret.arn)
pulumi.export("zoneId", zone.zone_id)
pulumi.export("serviceName", service_name)
pulumi.export("healthAlarmName", health_alarm.name)
pulumi.export("healthCheckId", health_check.id)
pulumi.export("pagingTopicArn", pages.arn)
