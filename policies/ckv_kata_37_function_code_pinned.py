"""CKV_KATA_37: a Lambda function deployed from S3 must pin the object version.

``s3_bucket``/``s3_key`` alone take whatever object is at the key when the function is
updated: an overwrite of the key (or a re-upload of "the same" release) changes what
runs without a change in the program. ``s3_object_version`` names exactly the
artifact that was released. Functions whose code is not in S3 are not judged.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


def _first(value: Any) -> Any:
    while isinstance(value, list) and value:
        value = value[0]
    return value


class FunctionCodePinned(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure Lambda functions deployed from S3 pin the artifact's object version",
            id="CKV_KATA_37",
            categories=(CheckCategories.SUPPLY_CHAIN,),
            supported_resources=("aws_lambda_function",),
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        self.evaluated_keys = ["s3_bucket", "s3_object_version"]
        if not _first(conf.get("s3_bucket")):
            return CheckResult.UNKNOWN
        if _first(conf.get("s3_object_version")):
            return CheckResult.PASSED
        self.details.append("s3_object_version is not set: the code is whatever the key holds")
        return CheckResult.FAILED


check = FunctionCodePinned()
