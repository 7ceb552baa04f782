"""Corrections to moto's IAM evaluator, applied inside the embedded moto server.

Each patch models one documented AWS behaviour that moto 5.2.x gets wrong or does
not implement. They change only how a request is *authorized*, never what the
services store, and they are tested in tests/test_emulator_patches.py.

1. Trust policies naming only a service or federated principal: moto raises a
   TypeError (HTTP 500) when an IAM caller tries to assume such a role. AWS denies
   the call (the caller is not a named principal). Modeled: no match -> denied.
2. Trust policies naming an account (``arn:aws:iam::ACCOUNT:root`` or the bare
   account id): AWS lets any principal of that account whose identity policy
   allows sts:AssumeRole assume the role. moto compares strings only and denies.
3. Permissions boundaries: AWS allows a request only if the identity policies
   *and* the boundary allow it (an intersection). moto ignores boundaries.
4. GetBucketReplication: moto stores each rule as sent but answers with a fixed
   ``Filter: {Prefix: ""}`` and ``DeleteMarkerReplication: Disabled``. A rule's
   filter decides what S3 replicates, so it is returned as stored.
"""

from __future__ import annotations

import re
from typing import Any

_ACCOUNT_ROOT = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):root$")
_PRINCIPAL_ACCOUNT = re.compile(r"^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):")


def principal_matches(statement_principal: Any, caller_arn: str) -> bool:
    """Does an IAM caller (user or assumed-role session) match a Principal element?"""
    if not statement_principal:
        return True
    if statement_principal == "*":
        return True
    if not isinstance(statement_principal, dict):
        return False
    aws = statement_principal.get("AWS")
    if aws is None:
        return False  # only Service/Federated principals: no IAM caller is one of them
    names = [aws] if isinstance(aws, str) else list(aws)
    if "*" in names or caller_arn in names:
        return True
    caller_account = _PRINCIPAL_ACCOUNT.match(caller_arn)
    if caller_account is None:
        return False
    for name in names:
        root = _ACCOUNT_ROOT.match(name)
        if (root and root.group(1) == caller_account.group(1)) or name == caller_account.group(1):
            return True
    # A trust policy may name the role itself for an assumed-role session's role ARN.
    if ":assumed-role/" in caller_arn:
        account, rest = caller_account.group(1), caller_arn.split(":assumed-role/", 1)[1]
        role_name = rest.split("/", 1)[0]
        return any(n.endswith(f":{account}:role/{role_name}") for n in names)
    return False


def apply() -> None:
    from moto.iam import access_control as ac

    def _check_principal(self: Any, principal: str) -> bool:
        return principal_matches(self._statement.get("Principal"), principal)

    ac.IAMPolicyStatement._check_principal = _check_principal

    original_check = ac.IAMRequestBase.check_action_permitted

    def check_action_permitted(self: Any, resource: str) -> None:
        original_check(self, resource)  # raises when identity policies do not allow it
        if self._action == "sts:GetCallerIdentity":
            return
        boundary = _boundary_policy(self)
        if boundary is None:
            return
        result = ac.IAMPolicy(boundary).is_action_permitted(self._action, resource)
        if result != ac.PermissionResult.PERMITTED:
            self._raise_access_denied()

    ac.IAMRequestBase.check_action_permitted = check_action_permitted
    _return_stored_replication_rules()


def _return_stored_replication_rules() -> None:
    from moto.core.responses import ActionResult
    from moto.s3.exceptions import ReplicationConfigurationNotFoundError
    from moto.s3.responses import S3Response

    def get_bucket_replication(self: Any) -> Any:
        self.data["Action"] = "GetBucketReplication"
        replication = self.backend.get_bucket_replication(self.bucket_name)
        if not replication:
            raise ReplicationConfigurationNotFoundError(bucket_name=self.bucket_name)
        rules = []
        for rule in replication["Rule"]:
            out = {
                "ID": rule["ID"],
                "Priority": int(rule["Priority"]),
                "Status": rule["Status"],
                "Filter": rule.get("Filter") or {"Prefix": rule.get("Prefix") or ""},
                "DeleteMarkerReplication": rule.get("DeleteMarkerReplication")
                or {"Status": "Disabled"},
                "Destination": rule["Destination"],
            }
            if rule.get("SourceSelectionCriteria"):
                out["SourceSelectionCriteria"] = rule["SourceSelectionCriteria"]
            rules.append(out)
        result = {"ReplicationConfiguration": {"Role": replication["Role"], "Rules": rules}}
        return self.serialized(ActionResult(result))

    S3Response.get_bucket_replication = get_bucket_replication


def _boundary_policy(request: Any) -> Any:
    key = request._access_key
    backend = request.backend
    arn = None
    if hasattr(key, "_owner_role_name"):
        arn = backend.get_role(key._owner_role_name).permissions_boundary_arn
    elif hasattr(key, "_owner_user_name"):
        user = backend.get_user(key._owner_user_name)
        arn = getattr(user, "permissions_boundary_arn", None) or _user_boundary(user)
    if not arn:
        return None
    return backend.get_policy(arn)


def _user_boundary(user: Any) -> str | None:
    boundary = getattr(user, "permissions_boundary", None)
    if isinstance(boundary, dict):
        return boundary.get("PermissionsBoundaryArn")
    return boundary if isinstance(boundary, str) else None
