"""Style: one policy per concern, lower-case action names, a standby that guards itself.

The replication role holds two managed policies (S3 replication, KMS use) attached
with ``RolePolicyAttachment``, each built with ``aws.iam.get_policy_document_output``
from resource outputs, with action names in lower case (IAM does not care) and the KMS
grants limited to calls S3 makes in the key's region (``kms:ViaService``). The standby
bucket also carries a bucket policy that refuses plain-HTTP access, an extra the SPEC
does not forbid. Resources are declared top to bottom in the order the data flows;
the alarm averages one-minute datapoints and fires after two breaching minutes.
"""

import json

import pulumi
import pulumi_aws as aws

c = pulumi.Config()
regions = {"primary": c.require("primaryRegion"), "secondary": c.require("secondaryRegion")}
domain = c.require("domain")
base_tags = {"owner": c.require("owner"), "service": c.require("service")}

prov = {role: aws.Provider(f"{role}-region", region=region) for role, region in regions.items()}
opt = {role: pulumi.ResourceOptions(provider=p) for role, p in prov.items()}
tag = {role: {**base_tags, "region-role": role} for role in ("primary", "secondary", "global")}
account = aws.get_caller_identity(opts=pulumi.InvokeOptions(provider=prov["primary"])).account_id

key_policy = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "RootAdministers",
                "Effect": "Allow",
                "Principal": {"AWS": account},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }
)

key, bucket, versioning = {}, {}, {}
for role in ("primary", "secondary"):
    key[role] = aws.kms.Key(
        f"kms-{role}", enable_key_rotation=True, policy=key_policy, tags=tag[role], opts=opt[role]
    )
    bucket[role] = aws.s3.Bucket(f"s3-{role}", force_destroy=True, tags=tag[role], opts=opt[role])
    versioning[role] = aws.s3.BucketVersioning(
        f"s3-{role}-ver",
        bucket=bucket[role].id,
        versioning_configuration={"status": "Enabled"},
        opts=opt[role],
    )
    aws.s3.BucketPublicAccessBlock(
        f"s3-{role}-pab",
        bucket=bucket[role].id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=opt[role],
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"s3-{role}-sse",
        bucket=bucket[role].id,
        rules=[
            {
                "apply_server_side_encryption_by_default": {
                    "sse_algorithm": "aws:kms",
                    "kms_master_key_id": key[role].arn,
                },
                "bucket_key_enabled": False,
            }
        ],
        opts=opt[role],
    )

aws.s3.BucketPolicy(
    "s3-secondary-tls-only",
    bucket=bucket["secondary"].id,
    policy=aws.iam.get_policy_document_output(
        statements=[
            {
                "sid": "DenyPlainHttp",
                "effect": "Deny",
                "principals": [{"type": "*", "identifiers": ["*"]}],
                "actions": ["s3:*"],
                "resources": [
                    bucket["secondary"].arn,
                    bucket["secondary"].arn.apply(lambda a: f"{a}/*"),
                ],
                "conditions": [
                    {"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}
                ],
            }
        ],
        opts=pulumi.InvokeOutputOptions(provider=prov["secondary"]),
    ).json,
    opts=opt["secondary"],
)

role = aws.iam.Role(
    "replicator",
    assume_role_policy=aws.iam.get_policy_document_output(
        statements=[
            {
                "effect": "Allow",
                "principals": [{"type": "Service", "identifiers": ["s3.amazonaws.com"]}],
                "actions": ["sts:AssumeRole"],
            }
        ],
        opts=pulumi.InvokeOutputOptions(provider=prov["primary"]),
    ).json,
    tags=tag["global"],
    opts=opt["primary"],
)
s3_doc = aws.iam.get_policy_document_output(
    statements=[
        {
            "actions": ["s3:getreplicationconfiguration", "s3:listbucket"],
            "resources": [bucket["primary"].arn],
        },
        {
            "actions": [
                "s3:getobjectversionforreplication",
                "s3:getobjectversionacl",
                "s3:getobjectversiontagging",
            ],
            "resources": [bucket["primary"].arn.apply(lambda a: f"{a}/*")],
        },
        {
            "actions": ["s3:replicateobject", "s3:replicatedelete", "s3:replicatetags"],
            "resources": [bucket["secondary"].arn.apply(lambda a: f"{a}/*")],
        },
    ],
    opts=pulumi.InvokeOutputOptions(provider=prov["primary"]),
)
# The keys only through S3, in their own region (kms:ViaService), as security reviews ask.
kms_doc = aws.iam.get_policy_document_output(
    statements=[
        {
            "actions": ["kms:decrypt"],
            "resources": [key["primary"].arn],
            "conditions": [
                {
                    "test": "StringEquals",
                    "variable": "kms:ViaService",
                    "values": [f"s3.{regions['primary']}.amazonaws.com"],
                }
            ],
        },
        {
            "actions": ["kms:encrypt", "kms:generatedatakey"],
            "resources": [key["secondary"].arn],
            "conditions": [
                {
                    "test": "StringEquals",
                    "variable": "kms:ViaService",
                    "values": [f"s3.{regions['secondary']}.amazonaws.com"],
                }
            ],
        },
    ],
    opts=pulumi.InvokeOutputOptions(provider=prov["primary"]),
)
for name, doc in (("replicator-s3", s3_doc), ("replicator-kms", kms_doc)):
    managed = aws.iam.Policy(name, policy=doc.json, tags=tag["global"], opts=opt["primary"])
    aws.iam.RolePolicyAttachment(
        f"{name}-attach", role=role.name, policy_arn=managed.arn, opts=opt["primary"]
    )

aws.s3.BucketReplicationConfig(
    "s3-primary-replication",
    bucket=bucket["primary"].id,
    role=role.arn,
    rules=[
        {
            "id": "orders",
            "status": "Enabled",
            "filter": {"prefix": "orders/"},
            "delete_marker_replication": {"status": "Enabled"},
            "source_selection_criteria": {"sse_kms_encrypted_objects": {"status": "Enabled"}},
            "destination": {
                "bucket": bucket["secondary"].arn,
                "encryption_configuration": {"replica_kms_key_id": key["secondary"].arn},
                "replication_time": {"status": "Enabled", "time": {"minutes": 15}},
                "metrics": {"status": "Enabled", "event_threshold": {"minutes": 15}},
            },
        }
    ],
    opts=pulumi.ResourceOptions(provider=prov["primary"], depends_on=list(versioning.values())),
)

secret = aws.secretsmanager.Secret(
    "payment-key",
    kms_key_id=key["primary"].arn,
    replicas=[{"region": regions["secondary"], "kms_key_id": key["secondary"].arn}],
    force_overwrite_replica_secret=True,
    tags=tag["primary"],
    opts=opt["primary"],
)
aws.secretsmanager.SecretVersion(
    "payment-key-v",
    secret_id=secret.id,
    secret_string=c.require_secret("paymentApiKey"),
    opts=opt["primary"],
)

topic = aws.sns.Topic("pager", tags=tag["primary"], opts=opt["primary"])
alarm = aws.cloudwatch.MetricAlarm(
    "api-down",
    namespace="Acme/Checkout",
    metric_name="ApiAvailability",
    dimensions={"Region": regions["primary"]},
    statistic="Average",
    period=60,
    evaluation_periods=2,
    threshold=1,
    comparison_operator="LessThanThreshold",
    treat_missing_data="breaching",
    alarm_actions=[topic.arn],
    ok_actions=[topic.arn],
    insufficient_data_actions=[],
    tags=tag["primary"],
    opts=opt["primary"],
)
zone = aws.route53.Zone(
    "dns", name=domain, force_destroy=True, tags=tag["global"], opts=opt["primary"]
)
hc = aws.route53.HealthCheck(
    "dns-primary-hc",
    type="CLOUDWATCH_METRIC",
    cloudwatch_alarm_name=alarm.name,
    cloudwatch_alarm_region=regions["primary"],
    insufficient_data_health_status="Unhealthy",
    tags=tag["global"],
    opts=opt["primary"],
)
for role_name, endpoint_key, check_id in (
    ("PRIMARY", "primaryEndpoint", hc.id),
    ("SECONDARY", "secondaryEndpoint", None),
):
    aws.route53.Record(
        f"dns-api-{role_name.lower()}",
        zone_id=zone.zone_id,
        name=f"api.{domain}",
        type="A",
        ttl=60,
        records=[c.require(endpoint_key)],
        set_identifier=role_name,
        failover_routing_policies=[{"type": role_name}],
        health_check_id=check_id,
        opts=opt["primary"] if role_name == "PRIMARY" else opt["secondary"],
    )

pulumi.export("primaryBucketName", bucket["primary"].bucket)
pulumi.export("secondaryBucketName", bucket["secondary"].bucket)
pulumi.export("primaryKeyArn", key["primary"].arn)
pulumi.export("secondaryKeyArn", key["secondary"].arn)
pulumi.export("replicationRoleArn", role.arn)
pulumi.export("paymentSecretArn", secret.arn)
pulumi.export("pagingTopicArn", topic.arn)
pulumi.export("zoneId", zone.zone_id)
pulumi.export("serviceName", f"api.{domain}")
pulumi.export("healthAlarmName", alarm.name)
pulumi.export("healthCheckId", hc.id)
