"""R5: the payment-provider secret is replicated to the standby, under the standby's key."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from harness.emulator.capabilities import require


@pytest.mark.requirement("R5")
def test_secret_is_replicated_under_the_standby_key(aws, export, expected, keys, emulator):
    """Keys are compared by the key they name: Secrets Manager takes a key id, ARN,
    alias name or alias ARN, each resolved in its own region."""
    arn = export("paymentSecretArn")
    secret = aws("secretsmanager", expected.primary).describe_secret(SecretId=arn)
    named = secret.get("KmsKeyId") or ""
    assert named and keys(expected.primary).same_key(named, export("primaryKeyArn")), (
        f"R5: the secret {arn} is encrypted with {named or 'the AWS managed key'}, not the "
        f"primary key {export('primaryKeyArn')}"
    )
    replicas = {r["Region"]: r for r in secret.get("ReplicationStatus", [])}
    assert expected.secondary in replicas, (
        f"R5: the secret {arn} is replicated to {sorted(replicas) or 'no region'}, "
        f"not to {expected.secondary}"
    )
    replica = replicas[expected.secondary]
    assert replica.get("Status") == "InSync", (
        f"R5: the secret's replica in {expected.secondary} is {replica.get('Status')}: "
        f"{replica.get('StatusMessage', 'no reason given')}"
    )
    require(emulator, "secret-replica-kms-key")  # LocalStack drops the replica's key
    named = replica.get("KmsKeyId") or ""
    assert named and keys(expected.secondary).same_key(named, export("secondaryKeyArn")), (
        f"R5: the secret's replica in {expected.secondary} is encrypted with "
        f"{named or 'the AWS managed key'}, not the standby key {export('secondaryKeyArn')}: "
        "the standby must hold its own key to read it when the primary region is gone"
    )


@pytest.mark.requirement("R5")
def test_the_standby_reads_the_secret_in_its_own_region(aws, export, expected, emulator):
    arn = export("paymentSecretArn")
    value = aws("secretsmanager", expected.primary).get_secret_value(SecretId=arn)["SecretString"]
    assert value == expected.payment_api_key, (
        f"R5: the secret {arn} does not hold the stack config's paymentApiKey"
    )
    name = arn.split(":")[-1].rsplit("-", 1)[0]  # the ARN ends in a random 6-character suffix
    require(emulator, "secret-replica-kms-key")  # LocalStack drops the replica's key
    try:
        standby = aws("secretsmanager", expected.secondary).get_secret_value(SecretId=name)
    except ClientError as exc:
        pytest.fail(
            f"R5: the standby region {expected.secondary} cannot read the secret {name} by "
            f"its name: {exc.response['Error']['Code']}"
        )
    assert standby["SecretString"] == value, (
        f"R5: the secret {name} read in {expected.secondary} differs from the primary's value"
    )
