"""R1, R2: release artifacts are immutable, and the function runs exactly the released one."""

from __future__ import annotations

import contextlib

import pytest
from botocore.exceptions import ClientError

from harness.drills.iam import is_denied

OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2"
FUNCTION = "aws:lambda/function:Function"


@pytest.mark.requirement("R1")
def test_a_released_artifact_version_cannot_be_deleted(pipeline, aws):
    """A released artifact's version cannot be deleted or overwritten in place (Object Lock)."""
    s3 = aws("s3")
    key = "releases/kata-check/probe.zip"
    put = s3.put_object(Bucket=pipeline.bucket, Key=key, Body=b"probe")
    version = put.get("VersionId")
    try:
        assert version and version != "null", (
            "the artifact bucket gave the new object no version id: it is not versioned, so "
            "an upload to a released key overwrites the artifact"
        )
        try:
            s3.delete_object(Bucket=pipeline.bucket, Key=key, VersionId=version)
        except ClientError as exc:
            assert is_denied(exc), f"deleting the version failed, but not by a lock: {exc}"
        else:
            pytest.fail(
                "an object version in the artifact bucket was deleted: nothing stops a "
                "released artifact from disappearing (Object Lock with a default retention)"
            )
    finally:  # the checks' probe only; GOVERNANCE retention lets an admin remove it
        with contextlib.suppress(ClientError):
            versioned = {"VersionId": version} if version and version != "null" else {}
            s3.delete_object(
                Bucket=pipeline.bucket, Key=key, BypassGovernanceRetention=True, **versioned
            )


@pytest.mark.requirement("R1")
def test_the_artifact_bucket_is_locked_versioned_private_and_encrypted(pipeline, aws):
    """Object Lock GOVERNANCE for 30 days or more, versioning, no public access, encryption."""
    s3, bucket = aws("s3"), pipeline.bucket
    status = s3.get_bucket_versioning(Bucket=bucket).get("Status")
    assert status == "Enabled", f"the artifact bucket's versioning is {status or 'off'}"
    try:
        lock = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    except ClientError as exc:
        pytest.fail(f"the artifact bucket has no Object Lock configuration ({exc})")
    retention = lock.get("Rule", {}).get("DefaultRetention", {})
    days = retention.get("Days") or 365 * (retention.get("Years") or 0)
    assert lock.get("ObjectLockEnabled") == "Enabled"
    assert retention.get("Mode") == "GOVERNANCE", (
        f"default retention mode is {retention.get('Mode')!r}: the SPEC asks for GOVERNANCE "
        "(COMPLIANCE could not be torn down, not even by the account's root)"
    )
    assert days >= 30, f"default retention is {days} days; the SPEC asks for at least 30"
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4, f"public access block: {block}"
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules and rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"]


@pytest.mark.requirement("R1")
def test_each_release_gets_its_own_key_and_old_releases_stay(pipeline, released, aws):
    """Releasing 1.1.0 uploads a new key; the 1.0.0 artifact's version is still there."""
    artifact = next(r for r in released.state.resources if r.type == OBJECT)
    key = artifact.inputs["key"]
    assert "1.1.0" in key, f"the artifact of release 1.1.0 was uploaded as {key!r}"
    versions = aws("s3").list_object_versions(Bucket=pipeline.bucket).get("Versions", [])
    old = [v for v in versions if pipeline.release in v["Key"]]
    assert old, (
        f"no version of the {pipeline.release} artifact is left after releasing 1.1.0: "
        "a rollback has nothing to go back to"
    )


@pytest.mark.requirement("R2")
def test_the_function_runs_the_released_artifact_pinned_to_its_version(stack):
    """Code from the artifact bucket's release key, pinned by object version; publish on."""
    fn = next(r for r in stack.resources if r.type == FUNCTION)
    artifact = next((r for r in stack.resources if r.type == OBJECT), None)
    assert artifact is not None, "no release artifact (aws.s3.BucketObjectv2) is uploaded"
    inputs = fn.inputs
    assert inputs.get("s3Bucket") == artifact.inputs["bucket"], (
        "the function's code does not come from the artifact bucket"
    )
    assert inputs.get("s3Key") == artifact.inputs["key"]
    assert inputs.get("s3ObjectVersion") and inputs["s3ObjectVersion"] == artifact.outputs.get(
        "versionId"
    ), "the function's code is not pinned to the artifact's object version (s3ObjectVersion)"
    assert inputs.get("publish") is True, "publish is not set: releases are not numbered versions"
    assert str(fn.outputs.get("version", "")).isdigit()


@pytest.mark.requirement("R2")
def test_every_release_is_a_new_numbered_version_and_the_old_one_stays(pipeline, released, aws):
    """Release 1.1.0 is a new published version with its own code; 1.0.0's version is kept."""
    new, old = released.new_version, str(released.alias_before["FunctionVersion"])
    assert new.isdigit() and new not in released.versions_before, (
        f"deploying release 1.1.0 published no new version (versions {released.versions_after})"
    )
    lam = aws("lambda")
    if old.isdigit():
        old_conf = lam.get_function(FunctionName=pipeline.function, Qualifier=old)
        new_conf = lam.get_function(FunctionName=pipeline.function, Qualifier=new)
        assert old_conf["Configuration"]["CodeSha256"] != new_conf["Configuration"]["CodeSha256"], (
            "versions of 1.0.0 and 1.1.0 run the same code"
        )
