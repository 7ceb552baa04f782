"""R9: the stack exports what the release pipeline and the on-call engineer need."""

from __future__ import annotations

import pytest

EXPORTS = (
    "releaseVersion",
    "artifactBucketName",
    "artifactKey",
    "functionName",
    "publishedVersion",
    "liveAliasArn",
    "applicationName",
    "deploymentGroupName",
    "notificationTopicArn",
)


@pytest.mark.requirement("R9")
def test_the_stack_exports_the_pipeline(stack, pipeline, aws):
    out = stack.outputs
    missing = [k for k in EXPORTS if not out.get(k)]
    assert not missing, f"missing exports: {missing}"
    fn = next(
        r
        for r in stack.resources
        if r.id == pipeline.function and r.type.startswith("aws:lambda/function")
    )
    assert out["functionName"] == pipeline.function
    assert out["publishedVersion"] == fn.outputs["version"]
    assert out["releaseVersion"] == pipeline.release, (
        f"R9: releaseVersion is {out['releaseVersion']!r}, not the release {pipeline.release!r}."
    )
    assert str(out["artifactKey"]).startswith(f"releases/{pipeline.release}/"), (
        f"R9: artifactKey {out['artifactKey']!r} is not the release's key "
        f"(releases/{pipeline.release}/…)."
    )
    assert out["artifactBucketName"] == pipeline.bucket
    assert out["applicationName"] == pipeline.application
    assert out["deploymentGroupName"] == pipeline.group
    live = aws("lambda").get_alias(FunctionName=pipeline.function, Name=pipeline.alias)
    assert out["liveAliasArn"] == live["AliasArn"], "liveAliasArn is not the live alias's ARN"
    # Listed by version: a release check may have hidden the key behind a delete marker.
    versions = aws("s3").list_object_versions(Bucket=pipeline.bucket, Prefix=out["artifactKey"])
    assert any(v["Key"] == out["artifactKey"] for v in versions.get("Versions", [])), (
        "artifactKey names no object in the artifact bucket"
    )
    triggers = (
        aws("codedeploy")
        .get_deployment_group(
            applicationName=pipeline.application, deploymentGroupName=pipeline.group
        )["deploymentGroupInfo"]
        .get("triggerConfigurations")
        or []
    )
    assert out["notificationTopicArn"] in {t["triggerTargetArn"] for t in triggers}, (
        "notificationTopicArn is not the topic the deployment group notifies"
    )
