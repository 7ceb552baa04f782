"""Checkout API, multi-region: first draft.

It deploys, and the checkout API's data and DNS work — in one region. The standby
"region" was added in a hurry before the launch review: it is a second bucket and a
DNS record nobody has ever failed over to. Make it the active-passive design SPEC.md
describes. Keep the stack exports: the checks find everything through them.
"""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
primary_region = config.require("primaryRegion")
secondary_region = config.require("secondaryRegion")
domain = config.require("domain")
owner = config.require("owner")
service = config.require("service")

# TODO(R1): everything below uses the default provider, i.e. whatever aws:region says.
# Give each region an explicit provider and put every regional resource in its region.

# TODO(R10): every taggable resource names its owner, its service and its region's role.
tags = {"owner": owner}

primary_key = aws.kms.Key("primary-key", description=f"{service} data", tags=tags)
secondary_key = aws.kms.Key("secondary-key", description=f"{service} standby data", tags=tags)

primary_bucket = aws.s3.Bucket("primary-orders", tags=tags)
aws.s3.BucketVersioning(
    "primary-orders-versioning",
    bucket=primary_bucket.id,
    versioning_configuration={"status": "Enabled"},
)
aws.s3.BucketServerSideEncryptionConfiguration(
    "primary-orders-encryption",
    bucket=primary_bucket.id,
    rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
)
# TODO(R2): both buckets: versioned, public access blocked, SSE-KMS with the key of
# their own region (rotating, with a key policy).
secondary_bucket = aws.s3.Bucket("secondary-orders", tags=tags)

# TODO(R3, R4): replicate orders/ (and only orders/) to the standby bucket, deletes
# included, within the RPO, as a role S3 assumes that can do exactly that.

# TODO(R5): the standby needs the payment provider's key too, under its own KMS key.
payment_secret = aws.secretsmanager.Secret(
    "payment-api-key", description=f"{service}: payment provider API key", tags=tags
)
aws.secretsmanager.SecretVersion(
    "payment-api-key-value",
    secret_id=payment_secret.id,
    secret_string=config.require_secret("paymentApiKey"),
)

pages = aws.sns.Topic("failover-pages", tags=tags)

# TODO(R7, R8): this alarm is the primary's health signal. It should notice a dead
# region in time, count silence as failure, page on-call, and drive DNS failover.
health_alarm = aws.cloudwatch.MetricAlarm(
    "primary-health",
    namespace="Acme/Checkout",
    metric_name="ApiAvailability",
    dimensions={"Region": primary_region},
    statistic="Minimum",
    period=300,
    evaluation_periods=3,
    threshold=1,
    comparison_operator="LessThanThreshold",
    tags=tags,
)

# TODO(R6): a PRIMARY record guarded by a health check, a SECONDARY record for the
# standby, and a TTL that fits the RTO.
zone = aws.route53.Zone("zone", name=domain, tags=tags)
service_name = f"api.{domain}"
aws.route53.Record(
    "api",
    zone_id=zone.zone_id,
    name=service_name,
    type="A",
    ttl=3600,
    records=[config.require("primaryEndpoint")],
)

# TODO(R9): when you are done, ask of every standby resource: does it still work if
# nothing in the primary region answers?

pulumi.export("primaryBucketName", primary_bucket.bucket)
pulumi.export("secondaryBucketName", secondary_bucket.bucket)
pulumi.export("primaryKeyArn", primary_key.arn)
pulumi.export("secondaryKeyArn", secondary_key.arn)
pulumi.export("paymentSecretArn", payment_secret.arn)
pulumi.export("zoneId", zone.zone_id)
pulumi.export("serviceName", service_name)
pulumi.export("healthAlarmName", health_alarm.name)
pulumi.export("pagingTopicArn", pages.arn)
# TODO(R4, R6): export replicationRoleArn and healthCheckId once they exist.
