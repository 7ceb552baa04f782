"""Pulumi AWS type tokens → Terraform resource types, and Terraform-style names.

pulumi-aws is bridged from the Terraform AWS provider, so almost every token follows
``aws:<module>/<camelType>:<Type>`` → ``aws_<module>_<snake_type>``. The exceptions
below were found by mapping every pulumi-aws 7.51.1 resource token with the generic
rule and listing the resource types checkov 3.3.30's AWS checks name that no token
reached; an exception only matters when a check exists for it, so the table stays short.
"""

from __future__ import annotations

import re

# Whole-token exceptions: the Terraform name is not derivable from the token.
_TOKEN_OVERRIDES: dict[str, str] = {
    "aws:s3/bucketV2:BucketV2": "aws_s3_bucket",
    "aws:s3/bucketObjectv2:BucketObjectv2": "aws_s3_object",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": (
        "aws_s3_bucket_replication_configuration"
    ),
    "aws:alb/loadBalancer:LoadBalancer": "aws_alb",
    "aws:lb/loadBalancer:LoadBalancer": "aws_lb",
    "aws:elb/loadBalancer:LoadBalancer": "aws_elb",
    "aws:elb/loadBalancerPolicy:LoadBalancerPolicy": "aws_load_balancer_policy",
    "aws:cloudtrail/trail:Trail": "aws_cloudtrail",
    "aws:codepipeline/pipeline:Pipeline": "aws_codepipeline",
    "aws:codedeploy/application:Application": "aws_codedeploy_app",
    "aws:appsync/graphQLApi:GraphQLApi": "aws_appsync_graphql_api",
    "aws:bedrock/agentAgent:AgentAgent": "aws_bedrockagent_agent",
    "aws:docdb/elasticCluster:ElasticCluster": "aws_docdbelastic_cluster",
    "aws:fsx/openZfsFileSystem:OpenZfsFileSystem": "aws_fsx_openzfs_file_system",
    "aws:route53/hostedZoneDnsSec:HostedZoneDnsSec": "aws_route53_hosted_zone_dnssec",
    "aws:cfg/rule:Rule": "aws_config_config_rule",
    "aws:cfg/recorder:Recorder": "aws_config_configuration_recorder",
    "aws:cfg/recorderStatus:RecorderStatus": "aws_config_configuration_recorder_status",
    "aws:ec2/dedicatedHost:DedicatedHost": "aws_ec2_host",
    "aws:ec2/peeringConnectionOptions:PeeringConnectionOptions": (
        "aws_vpc_peering_connection_options"
    ),
    "aws:ec2transitgateway/transitGateway:TransitGateway": "aws_ec2_transit_gateway",
    "aws:ec2transitgateway/instanceConnectEndpoint:InstanceConnectEndpoint": (
        "aws_ec2_instance_connect_endpoint"
    ),
}

# Modules whose Terraform prefix differs from the Pulumi module name.
_MODULE_PREFIX: dict[str, str] = {
    "apigateway": "aws_api_gateway_",
    "cfg": "aws_config_",
    "ec2": "aws_",  # aws_instance, aws_vpc, aws_security_group, … (see _EC2_PREFIXED)
    "ec2clientvpn": "aws_ec2_client_vpn_",
    "ec2transitgateway": "aws_ec2_transit_gateway_",
    "elasticbeanstalk": "aws_elastic_beanstalk_",
}

# The few ec2-module resources Terraform does call aws_ec2_*.
_EC2_PREFIXED = frozenset(
    {
        "allowedImagesSettings",
        "availabilityZoneGroup",
        "capacityBlockReservation",
        "capacityReservation",
        "carrierGateway",
        "defaultCreditSpecification",
        "fleet",
        "imageBlockPublicAccess",
        "instanceMetadataDefaults",
        "localGatewayRoute",
        "localGatewayRouteTable",
        "localGatewayRouteTableVirtualInterfaceGroupAssociation",
        "localGatewayRouteTableVpcAssociation",
        "managedPrefixList",
        "managedPrefixListEntry",
        "networkInsightsAccessScope",
        "networkInsightsAnalysis",
        "networkInsightsPath",
        "serialConsoleAccess",
        "subnetCidrReservation",
        "tag",
        "trafficMirrorFilter",
        "trafficMirrorFilterRule",
        "trafficMirrorSession",
        "trafficMirrorTarget",
    }
)

# rds resources Terraform names aws_db_* rather than aws_rds_*.
_RDS_DB = frozenset(
    {
        "clusterSnapshot",
        "eventSubscription",
        "instance",
        "instanceAutomatedBackupsReplication",
        "optionGroup",
        "parameterGroup",
        "proxy",
        "proxyDefaultTargetGroup",
        "proxyEndpoint",
        "proxyTarget",
        "snapshot",
        "snapshotCopy",
        "subnetGroup",
    }
)

_ACRONYM = re.compile(r"([A-Z]+)([A-Z][a-z])")
_HUMP = re.compile(r"([a-z0-9])([A-Z])")
_NOT_NAME = re.compile(r"[^A-Za-z0-9_-]")


def snake(name: str) -> str:
    """camelCase → snake_case, keeping acronyms whole (``graphQLApi`` → ``graph_ql_api``)."""
    return _HUMP.sub(r"\1_\2", _ACRONYM.sub(r"\1_\2", name)).lower()


def terraform_type(token: str) -> str | None:
    """The Terraform resource type for a pulumi-aws token; None for non-AWS tokens."""
    if token in _TOKEN_OVERRIDES:
        return _TOKEN_OVERRIDES[token]
    parts = token.split(":")
    if len(parts) != 3 or parts[0] != "aws" or "/" not in parts[1]:
        return None
    module, camel = parts[1].split("/", 1)
    if module == "s3" and camel.endswith("V2"):
        # pulumi-aws keeps the V2 names of the split-out bucket resources as aliases.
        camel = camel[:-2]
    if module == "ec2" and camel in _EC2_PREFIXED:
        return f"aws_ec2_{snake(camel)}"
    if module == "rds" and camel in _RDS_DB:
        return f"aws_db_{snake(camel)}"
    if module == "opensearch" and camel.startswith("serverless"):
        return f"aws_opensearchserverless_{snake(camel[len('serverless') :])}"
    prefix = _MODULE_PREFIX.get(module, f"aws_{snake(module)}_")
    return prefix + snake(camel)


def terraform_name(name: str) -> str:
    """A Pulumi logical name as a Terraform resource name (letters, digits, _ and -)."""
    cleaned = _NOT_NAME.sub("_", name) or "_"
    # Terraform names start with a letter or underscore; checkov's reference parser agrees.
    return cleaned if cleaned[0].isalpha() or cleaned[0] == "_" else f"_{cleaned}"
