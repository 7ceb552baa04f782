"""Style: aws.iam.get_policy_document_output over resource outputs; one combined guard rule.

Every policy document is rendered by ``get_policy_document`` (``_output`` where it
reads ARNs of resources), with list-valued principals and actions in the spelling
the AWS console and docs also use (``SSM:GetParameter``, ``s3:getObject``,
``SNS:Publish``). One EventBridge rule matches all guarded calls at once.
"""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
service = config.require("service")
internal_cidr = config.require("internalCidr")
caller = aws.get_caller_identity()
here = aws.get_region()
TAGS = {"owner": "team-orders", "service": service, "cost-center": "cc-4417"}

bucket = aws.s3.Bucket("data", tags=TAGS)
aws.s3.BucketVersioning(
    "data-versioning",
    bucket=bucket.bucket,
    versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
)
aws.s3.BucketServerSideEncryptionConfiguration(
    "data-encryption",
    bucket=bucket.bucket,
    rules=[
        aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
            apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="AES256"
            )
        )
    ],
)
public_access = aws.s3.BucketPublicAccessBlock(
    "data-public-access",
    bucket=bucket.bucket,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
tls_only = aws.iam.get_policy_document_output(
    statements=[
        aws.iam.GetPolicyDocumentStatementArgs(
            sid="DenyInsecureTransport",
            effect="Deny",
            principals=[
                aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="*", identifiers=["*"])
            ],
            actions=["s3:*"],
            resources=[bucket.arn, bucket.arn.apply(lambda a: f"{a}/*")],
            conditions=[
                aws.iam.GetPolicyDocumentStatementConditionArgs(
                    test="Bool", variable="aws:SecureTransport", values=["false"]
                )
            ],
        )
    ]
)
aws.s3.BucketPolicy(
    "data-policy",
    bucket=bucket.bucket,
    policy=tls_only.json,
    opts=pulumi.ResourceOptions(depends_on=[public_access]),
)

web = aws.ec2.SecurityGroup(
    "web",
    description="orders: HTTPS from the internal load balancers",
    ingress=[
        aws.ec2.SecurityGroupIngressArgs(
            protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_blocks=[internal_cidr],
            description="HTTPS from inside the VPC",
        )
    ],
    egress=[
        aws.ec2.SecurityGroupEgressArgs(
            protocol="tcp",
            from_port=0,
            to_port=65535,
            cidr_blocks=[internal_cidr],
            description="TCP to the VPC only",
        )
    ],
    tags=TAGS,
)

log_level = aws.ssm.Parameter(
    "log-level", name=f"/{service}/log-level", type="String", value="INFO", tags=TAGS
)
payments_url = aws.ssm.Parameter(
    "payments-url",
    name=f"/{service}/payments-url",
    type="String",
    value="https://payments.internal.example.com",
    tags=TAGS,
)
checkpoint = aws.ssm.Parameter(
    "checkpoint",
    name=f"/{service}/checkpoint",
    type="String",
    value="0",
    tags=TAGS,
    opts=pulumi.ResourceOptions(ignore_changes=["value"]),
)

trust = aws.iam.get_policy_document(
    statements=[
        aws.iam.GetPolicyDocumentStatementArgs(
            actions=["sts:AssumeRole"],
            principals=[
                aws.iam.GetPolicyDocumentStatementPrincipalArgs(
                    type="Service", identifiers=["ecs-tasks.amazonaws.com"]
                )
            ],
        )
    ]
)
role = aws.iam.Role("app", assume_role_policy=trust.json, tags=TAGS)

permissions = aws.iam.get_policy_document_output(
    statements=[
        aws.iam.GetPolicyDocumentStatementArgs(
            sid="ReadOwnConfig",
            actions=["SSM:GetParameter", "SSM:GetParameters"],
            resources=[f"arn:aws:ssm:{here.region}:{caller.account_id}:parameter/{service}/*"],
        ),
        aws.iam.GetPolicyDocumentStatementArgs(
            sid="AdvanceCheckpoint",
            actions=["SSM:PutParameter"],
            resources=[checkpoint.arn],
        ),
        aws.iam.GetPolicyDocumentStatementArgs(
            sid="Objects",
            actions=["s3:getObject", "s3:putObject"],
            resources=[bucket.arn.apply(lambda a: f"{a}/*")],
        ),
    ]
)
inline = aws.iam.RolePolicy("app-inline", role=role.id, policy=permissions.json)
aws.iam.RolePoliciesExclusive("app-exclusive", role_name=role.name, policy_names=[inline.name])

topic_name = f"{service}-drift-alerts"
publish = aws.iam.get_policy_document(
    statements=[
        aws.iam.GetPolicyDocumentStatementArgs(
            sid="AllowEventBridge",
            actions=["SNS:Publish"],
            principals=[
                aws.iam.GetPolicyDocumentStatementPrincipalArgs(
                    type="Service", identifiers=["events.amazonaws.com"]
                )
            ],
            resources=[f"arn:aws:sns:{here.region}:{caller.account_id}:{topic_name}"],
        )
    ]
)
alerts = aws.sns.Topic("alerts", name=topic_name, policy=publish.json, tags=TAGS)

guard = aws.cloudwatch.EventRule(
    "weakening-calls",
    description="Calls that weaken the orders baseline",
    event_pattern=pulumi.Output.json_dumps(
        {
            "source": ["aws.ec2", "aws.s3", "aws.iam", "aws.ssm"],
            "detail-type": ["AWS API Call via CloudTrail"],
            "detail": {
                "eventSource": [
                    "ec2.amazonaws.com",
                    "s3.amazonaws.com",
                    "iam.amazonaws.com",
                    "ssm.amazonaws.com",
                ],
                "eventName": [
                    "AuthorizeSecurityGroupIngress",
                    "PutBucketVersioning",
                    "DeleteBucketEncryption",
                    "DeleteBucketPublicAccessBlock",
                    "PutBucketPolicy",
                    "DeleteBucketPolicy",
                    "PutRolePolicy",
                    "AttachRolePolicy",
                    "DeleteParameter",
                ],
            },
        }
    ),
    tags=TAGS,
)
aws.cloudwatch.EventTarget("weakening-calls-page", rule=guard.name, arn=alerts.arn)

pulumi.export("bucketName", bucket.bucket)
pulumi.export("securityGroupId", web.id)
pulumi.export("roleName", role.name)
pulumi.export("alertTopicArn", alerts.arn)
