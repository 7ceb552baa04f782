"""R1, R2: release artifacts are immutable, and the function runs exactly the released one."""

from __future__ import annotations

import base64
import contextlib
import hashlib

import pytest
from botocore.exceptions import ClientError

from harness.drills.iam import is_denied

FUNCTION = "aws:lambda/function:Function"
OBJECTS = ("aws:s3/bucketObjectv2:BucketObjectv2", "aws:s3/bucketObject:BucketObject")


def _bucket_exists(aws, bucket: str) -> None:
    try:
        aws("s3").head_bucket(Bucket=bucket)
    except ClientError:
        pytest.fail(
            f"R1: there is no bucket named {bucket!r} (artifactBucketName) in the emulator.",
            pytrace=False,
        )


def _release_artifact(state, bucket: str, release: str):
    """The object the program uploaded for ``release``: under releases/<release>/ in the bucket."""
    objects = [
        o
        for o in state.resources
        if o.type in OBJECTS and o.outputs.get("bucket", o.inputs.get("bucket")) == bucket
    ]
    prefix = f"releases/{release}/"
    mine = [o for o in objects if str(o.inputs.get("key", "")).startswith(prefix)]
    if not mine:
        keys = sorted(str(o.inputs.get("key")) for o in objects) or "none"
        pytest.fail(
            f"R1 own key per release: release {release} uploaded no artifact under {prefix} in "
            f"{bucket} (keys uploaded there: {keys}).",
            pytrace=False,
        )
    return mine[0]


@pytest.mark.requirement("R1")
def test_a_released_artifact_version_cannot_be_deleted(pipeline, aws):
    """A released artifact's version cannot be deleted or overwritten in place (Object Lock)."""
    _bucket_exists(aws, pipeline.bucket)
    s3 = aws("s3")
    key = "releases/kata-check/probe.zip"
    put = s3.put_object(Bucket=pipeline.bucket, Key=key, Body=b"probe")
    version = put.get("VersionId")
    try:
        assert version and version != "null", (
            f"R1 versioned: the artifact bucket {pipeline.bucket} gave a new object no version "
            "id, so an upload to a released key overwrites the artifact."
        )
        try:
            s3.delete_object(Bucket=pipeline.bucket, Key=key, VersionId=version)
        except ClientError as exc:
            assert is_denied(exc), (
                f"R1 locked: deleting an object version in {pipeline.bucket} failed, but not "
                f"because of a lock: {exc}."
            )
        else:
            pytest.fail(
                f"R1 locked: an object version in the artifact bucket {pipeline.bucket} was "
                "deleted, so nothing stops a released artifact from disappearing (Object Lock "
                "with a default retention).",
                pytrace=False,
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
    _bucket_exists(aws, pipeline.bucket)
    s3, bucket = aws("s3"), pipeline.bucket
    problems = []
    status = s3.get_bucket_versioning(Bucket=bucket).get("Status")
    if status != "Enabled":
        problems.append(f"versioning is {status or 'off'}")
    try:
        lock = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    except ClientError:
        lock = {}
    retention = lock.get("Rule", {}).get("DefaultRetention", {})
    days = retention.get("Days") or 365 * (retention.get("Years") or 0)
    if lock.get("ObjectLockEnabled") != "Enabled":
        problems.append("Object Lock is not enabled")
    elif retention.get("Mode") != "GOVERNANCE":
        problems.append(
            f"the default retention mode is {retention.get('Mode') or 'not set'}, not GOVERNANCE"
        )
    elif days < 30:
        problems.append(f"the default retention is {days} days, under 30")
    try:
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    except ClientError:
        block = {}
    flags = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
    open_flags = [f for f in flags if block.get(f) is not True]
    if open_flags:
        problems.append(f"public access is not blocked ({', '.join(open_flags)} not set)")
    try:
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"][
            "Rules"
        ]
    except ClientError:
        rules = []
    if not any(
        (r.get("ApplyServerSideEncryptionByDefault") or {}).get("SSEAlgorithm") for r in rules
    ):
        problems.append("objects are not encrypted by default")
    assert not problems, f"R1: the artifact bucket {bucket}: " + "; ".join(problems) + "."


@pytest.mark.requirement("R1")
def test_each_release_gets_its_own_key_and_old_releases_stay(pipeline, released, aws, stack):
    """Releasing 1.1.0 uploads it under releases/1.1.0/; the 1.0.0 artifact's version stays."""
    old = _release_artifact(stack, pipeline.bucket, pipeline.release)
    new = _release_artifact(released.state, pipeline.bucket, "1.1.0")
    old_key, old_version = old.inputs["key"], old.outputs.get("versionId")
    versions = aws("s3").list_object_versions(Bucket=pipeline.bucket, Prefix=old_key)
    kept = [
        v
        for v in versions.get("Versions", [])
        if v["Key"] == old_key and (not old_version or v["VersionId"] == old_version)
    ]
    assert kept, (
        f"R1 old releases stay: after releasing 1.1.0 (as {new.inputs['key']}) the "
        f"{pipeline.release} artifact {old_key} (version {old_version}) is gone, so a rollback "
        "has nothing to go back to."
    )


@pytest.mark.requirement("R2")
def test_the_function_runs_the_released_artifact_pinned_to_its_version(pipeline, stack, aws):
    """Code from the artifact bucket's release key, pinned by object version; publish on."""
    fn = next(r for r in stack.resources if r.type == FUNCTION and r.id == pipeline.function)
    artifact = _release_artifact(stack, pipeline.bucket, pipeline.release)
    inputs, key = fn.inputs, artifact.inputs["key"]
    version = artifact.outputs.get("versionId")
    where = (inputs.get("s3Bucket"), inputs.get("s3Key"), inputs.get("s3ObjectVersion"))
    assert where[:2] == (pipeline.bucket, key), (
        f"R2 from the release's key: the function's code comes from {where[0]}/{where[1]}, not "
        f"from the release's artifact {pipeline.bucket}/{key}."
    )
    assert where[2] and where[2] == version, (
        f"R2 pinned: the function's s3_object_version is {where[2] or 'not set'}, not the "
        f"artifact's object version {version}, so an overwrite of the key changes what runs."
    )
    assert inputs.get("publish") is True, (
        "R2 publish: the function does not publish (publish=True), so a release is not a "
        "numbered version."
    )
    published = str(fn.outputs.get("version", ""))
    assert published.isdigit(), f"R2 publish: the function's latest version is {published}."
    # What runs is what was released: the published version's code is the artifact's bytes.
    body = aws("s3").get_object(Bucket=pipeline.bucket, Key=key, VersionId=version)["Body"].read()
    sha = base64.b64encode(hashlib.sha256(body).digest()).decode()
    code = aws("lambda").get_function(FunctionName=pipeline.function, Qualifier=published)
    assert code["Configuration"]["CodeSha256"] == sha, (
        f"R2 exactly the released artifact: version {published} of {pipeline.function} runs code "
        f"{code['Configuration']['CodeSha256']}, not the artifact {key} ({sha})."
    )


@pytest.mark.requirement("R2")
def test_every_release_is_a_new_numbered_version_and_the_old_one_stays(pipeline, released, aws):
    """Release 1.1.0 is a new published version with its own code; 1.0.0's version is kept."""
    new, old = released.new_version, str(released.alias_before["FunctionVersion"])
    assert new.isdigit() and new not in released.versions_before, (
        f"R2 new numbered version: deploying release 1.1.0 published no new version of "
        f"{pipeline.function} (versions before {released.versions_before}, after "
        f"{released.versions_after})."
    )
    assert not old.isdigit() or old in released.versions_after, (
        f"R2 the previous version stays: version {old} is gone after releasing 1.1.0."
    )
    if old.isdigit():
        lam = aws("lambda")
        old_conf = lam.get_function(FunctionName=pipeline.function, Qualifier=old)
        new_conf = lam.get_function(FunctionName=pipeline.function, Qualifier=new)
        assert old_conf["Configuration"]["CodeSha256"] != new_conf["Configuration"]["CodeSha256"], (
            f"R2 its own code: versions {old} (1.0.0) and {new} (1.1.0) run the same code."
        )
