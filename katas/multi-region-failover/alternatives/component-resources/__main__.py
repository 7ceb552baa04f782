"""Style: ComponentResource classes.

One ``RegionalStore`` component per region (its KMS key and its orders bucket), a
``Replication`` component for the role and the rule, a ``Pager`` for the alarm and its
topic, and a ``FailoverDns`` for the zone, health check and records. Children get
their region from the component's ``providers=`` mapping, not from a ``provider=`` on
every resource, which is how Pulumi components are usually written.
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

primary = aws.Provider("primary", region=primary_region)
secondary = aws.Provider("secondary", region=secondary_region)
account_id = aws.get_caller_identity(opts=pulumi.InvokeOptions(provider=primary)).account_id


def tags_for(role: str) -> dict[str, str]:
    return {"owner": owner, "service": service, "region-role": role}


class RegionalStore(pulumi.ComponentResource):
    """A region's KMS key and its versioned, private, SSE-KMS orders bucket."""

    def __init__(self, name: str, role: str, opts: pulumi.ResourceOptions) -> None:
        super().__init__("acme:checkout:RegionalStore", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = tags_for(role)
        self.key = aws.kms.Key(
            f"{name}-key",
            description=f"{service} orders ({role})",
            enable_key_rotation=True,
            deletion_window_in_days=7,
            policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "AccountAdministersTheKey",
                            "Effect": "Allow",
                            "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                            "Action": "kms:*",
                            "Resource": "*",
                        }
                    ],
                }
            ),
            tags=tags,
            opts=child,
        )
        self.bucket = aws.s3.Bucket(f"{name}-orders", force_destroy=True, tags=tags, opts=child)
        self.versioning = aws.s3.BucketVersioning(
            f"{name}-orders-versioning",
            bucket=self.bucket.id,
            versioning_configuration={"status": "Enabled"},
            opts=child,
        )
        aws.s3.BucketPublicAccessBlock(
            f"{name}-orders-private",
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-orders-encryption",
            bucket=self.bucket.id,
            rules=[
                {
                    "apply_server_side_encryption_by_default": {
                        "sse_algorithm": "aws:kms",
                        "kms_master_key_id": self.key.arn,
                    },
                    "bucket_key_enabled": True,
                }
            ],
            opts=child,
        )
        self.register_outputs({"bucket": self.bucket.bucket, "key": self.key.arn})


class Replication(pulumi.ComponentResource):
    """The role S3 assumes and the rule that copies orders/ to the standby."""

    def __init__(
        self, name: str, source: RegionalStore, target: RegionalStore, opts: pulumi.ResourceOptions
    ) -> None:
        super().__init__("acme:checkout:Replication", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.role = aws.iam.Role(
            f"{name}-role",
            assume_role_policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "s3.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
            tags=tags_for("global"),
            opts=child,
        )
        policy = pulumi.Output.all(
            src=source.bucket.arn,
            dst=target.bucket.arn,
            src_key=source.key.arn,
            dst_key=target.key.arn,
        ).apply(
            lambda a: json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "ReadSourceConfiguration",
                            "Effect": "Allow",
                            "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                            "Resource": a["src"],
                        },
                        {
                            "Sid": "ReadSourceVersions",
                            "Effect": "Allow",
                            "Action": [
                                "s3:GetObjectVersionForReplication",
                                "s3:GetObjectVersionAcl",
                                "s3:GetObjectVersionTagging",
                            ],
                            "Resource": f"{a['src']}/*",
                        },
                        {
                            "Sid": "WriteReplicas",
                            "Effect": "Allow",
                            "Action": [
                                "s3:ReplicateObject",
                                "s3:ReplicateDelete",
                                "s3:ReplicateTags",
                            ],
                            "Resource": f"{a['dst']}/*",
                        },
                        {
                            "Sid": "DecryptSource",
                            "Effect": "Allow",
                            "Action": "kms:Decrypt",
                            "Resource": a["src_key"],
                        },
                        {
                            "Sid": "EncryptReplicas",
                            "Effect": "Allow",
                            "Action": ["kms:Encrypt", "kms:GenerateDataKey"],
                            "Resource": a["dst_key"],
                        },
                    ],
                }
            )
        )
        aws.iam.RolePolicy(f"{name}-policy", role=self.role.id, policy=policy, opts=child)
        self.config = aws.s3.BucketReplicationConfig(
            f"{name}-config",
            bucket=source.bucket.id,
            role=self.role.arn,
            rules=[
                {
                    "id": "orders-to-standby",
                    "status": "Enabled",
                    "filter": {"prefix": "orders/"},
                    "delete_marker_replication": {"status": "Enabled"},
                    "source_selection_criteria": {
                        "sse_kms_encrypted_objects": {"status": "Enabled"}
                    },
                    "destination": {
                        "bucket": target.bucket.arn,
                        "encryption_configuration": {"replica_kms_key_id": target.key.arn},
                        "replication_time": {"status": "Enabled", "time": {"minutes": 15}},
                        "metrics": {"status": "Enabled", "event_threshold": {"minutes": 15}},
                    },
                }
            ],
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[source.versioning, target.versioning]
            ),
        )
        self.register_outputs({"role": self.role.arn})


class Pager(pulumi.ComponentResource):
    """The primary's health alarm and the topic that pages on-call both ways."""

    def __init__(self, name: str, opts: pulumi.ResourceOptions) -> None:
        super().__init__("acme:checkout:Pager", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.topic = aws.sns.Topic(f"{name}-pages", tags=tags_for("primary"), opts=child)
        self.alarm = aws.cloudwatch.MetricAlarm(
            f"{name}-health",
            namespace="Acme/Checkout",
            metric_name="ApiAvailability",
            dimensions={"Region": primary_region},
            statistic="Minimum",
            period=60,
            evaluation_periods=3,
            datapoints_to_alarm=3,
            threshold=1,
            comparison_operator="LessThanThreshold",
            treat_missing_data="breaching",
            alarm_actions=[self.topic.arn],
            ok_actions=[self.topic.arn],
            tags=tags_for("primary"),
            opts=child,
        )
        self.register_outputs({"alarm": self.alarm.name})


class FailoverDns(pulumi.ComponentResource):
    """The zone, the alarm-backed health check and the two failover records."""

    def __init__(
        self, name: str, alarm: aws.cloudwatch.MetricAlarm, opts: pulumi.ResourceOptions
    ) -> None:
        super().__init__("acme:checkout:FailoverDns", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.zone = aws.route53.Zone(
            f"{name}-zone", name=domain, force_destroy=True, tags=tags_for("global"), opts=child
        )
        self.health_check = aws.route53.HealthCheck(
            f"{name}-primary-health",
            type="CLOUDWATCH_METRIC",
            cloudwatch_alarm_name=alarm.name,
            cloudwatch_alarm_region=primary_region,
            insufficient_data_health_status="Unhealthy",
            tags=tags_for("global"),
            opts=child,
        )
        self.service_name = f"api.{domain}"
        for role, endpoint, check in (
            ("PRIMARY", config.require("primaryEndpoint"), self.health_check.id),
            ("SECONDARY", config.require("secondaryEndpoint"), None),
        ):
            aws.route53.Record(
                f"{name}-api-{role.lower()}",
                zone_id=self.zone.zone_id,
                name=self.service_name,
                type="A",
                ttl=60,
                records=[endpoint],
                set_identifier=role.lower(),
                failover_routing_policies=[{"type": role}],
                health_check_id=check,
                opts=child,
            )
        self.register_outputs({"zone": self.zone.zone_id})


primary_store = RegionalStore("primary", "primary", pulumi.ResourceOptions(providers=[primary]))
standby_store = RegionalStore(
    "secondary", "secondary", pulumi.ResourceOptions(providers=[secondary])
)
replication = Replication(
    "replication", primary_store, standby_store, pulumi.ResourceOptions(providers=[primary])
)

payment_secret = aws.secretsmanager.Secret(
    "payment-api-key",
    description=f"{service}: payment provider API key",
    kms_key_id=primary_store.key.arn,
    replicas=[{"region": secondary_region, "kms_key_id": standby_store.key.arn}],
    recovery_window_in_days=0,
    tags=tags_for("primary"),
    opts=pulumi.ResourceOptions(provider=primary),
)
aws.secretsmanager.SecretVersion(
    "payment-api-key-value",
    secret_id=payment_secret.id,
    secret_string=config.require_secret("paymentApiKey"),
    opts=pulumi.ResourceOptions(provider=primary),
)

pager = Pager("primary", pulumi.ResourceOptions(providers=[primary]))
dns = FailoverDns("failover", pager.alarm, pulumi.ResourceOptions(providers=[primary]))

pulumi.export("primaryBucketName", primary_store.bucket.bucket)
pulumi.export("secondaryBucketName", standby_store.bucket.bucket)
pulumi.export("primaryKeyArn", primary_store.key.arn)
pulumi.export("secondaryKeyArn", standby_store.key.arn)
pulumi.export("replicationRoleArn", replication.role.arn)
pulumi.export("paymentSecretArn", payment_secret.arn)
pulumi.export("pagingTopicArn", pager.topic.arn)
pulumi.export("zoneId", dns.zone.zone_id)
pulumi.export("serviceName", dns.service_name)
pulumi.export("healthAlarmName", pager.alarm.name)
pulumi.export("healthCheckId", dns.health_check.id)
