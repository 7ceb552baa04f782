"""R5: the payment-provider secret is replicated to the standby, under the standby's key."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


@pytest.mark.requirement("R5")
def test_secret_is_replicated_under_the_standby_key(aws, export, expected):
    arn = export("paymentSecretArn")
    secret = aws("secretsmanager", expected.primary).describe_secret(SecretId=arn)
    assert secret.get("KmsKeyId") == export("primaryKeyArn"), (
        f"the secret is encrypted with {secret.get('KmsKeyId') or 'the AWS managed key'}, "
        "not the primary region's customer-managed key"
    )
    replicas = {r["Region"]: r for r in secret.get("ReplicationStatus", [])}
    assert expected.secondary in replicas, (
        f"the secret is replicated to {sorted(replicas) or 'no region'}, "
        f"not to {expected.secondary}"
    )
    replica = replicas[expected.secondary]
    assert replica.get("Status") == "InSync", replica
    assert replica.get("KmsKeyId") == export("secondaryKeyArn"), (
        f"the replica is encrypted with {replica.get('KmsKeyId')}; the standby must hold "
        "its own key to read it when the primary region is gone"
    )


@pytest.mark.requirement("R5")
def test_the_standby_reads_the_secret_in_its_own_region(aws, export, expected):
    arn = export("paymentSecretArn")
    value = aws("secretsmanager", expected.primary).get_secret_value(SecretId=arn)["SecretString"]
    name = arn.split(":")[-1].rsplit("-", 1)[0]  # the ARN ends in a random 6-character suffix
    try:
        standby = aws("secretsmanager", expected.secondary).get_secret_value(SecretId=name)
    except ClientError as exc:
        pytest.fail(f"{expected.secondary} cannot read {name}: {exc.response['Error']['Code']}")
    assert standby["SecretString"] == value
