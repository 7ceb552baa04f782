"""IAM: roles, users, inline and managed policies, attachments.

IAM is global; moto keeps it per account and partition, so region does not matter.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from botocore.exceptions import ClientError

from harness.adapters.base import (
    Adapter,
    Context,
    canonical_json,
    not_found,
    same_document,
    tags_dict,
    tags_list,
)


def _doc(value: Any) -> str:
    """Policies may arrive as a JSON string (usual) or a dict (if a program passes one)."""
    return value if isinstance(value, str) else json.dumps(value)


class Role(Adapter):
    type_token = "aws:iam/role:Role"
    replace_on = frozenset({"name", "namePrefix", "path"})
    autoname = ("name", 64)
    handles = frozenset(
        {
            "name",
            "namePrefix",
            "assumeRolePolicy",
            "path",
            "description",
            "maxSessionDuration",
            "permissionsBoundary",
            "tags",
            "forceDetachPolicies",
            "managedPolicyArns",
            "inlinePolicies",
        }
    )

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        iam = ctx.client("iam")
        kwargs: dict[str, Any] = {
            "RoleName": inputs["name"],
            "AssumeRolePolicyDocument": _doc(inputs["assumeRolePolicy"]),
            "Path": inputs.get("path") or "/",
        }
        if inputs.get("description"):
            kwargs["Description"] = inputs["description"]
        if inputs.get("maxSessionDuration"):
            kwargs["MaxSessionDuration"] = int(inputs["maxSessionDuration"])
        if inputs.get("permissionsBoundary"):
            kwargs["PermissionsBoundary"] = inputs["permissionsBoundary"]
        if inputs.get("tags"):
            kwargs["Tags"] = tags_list(inputs["tags"])
        role = iam.create_role(**kwargs)["Role"]
        _exclusive_policies(iam, role["RoleName"], inputs)
        return role["RoleName"], self._outputs(inputs, role)

    def _outputs(self, inputs: dict[str, Any], role: dict[str, Any]) -> dict[str, Any]:
        return {
            **inputs,
            "arn": role["Arn"],
            "name": role["RoleName"],
            "uniqueId": role["RoleId"],
            "createDate": str(role.get("CreateDate", "")),
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        arn = f"arn:{ctx.partition}:iam::{ctx.account_id}:role{inputs.get('path') or '/'}"
        return {**inputs, "arn": arn + inputs["name"], "tagsAll": dict(inputs.get("tags") or {})}

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            role = ctx.client("iam").get_role(RoleName=id_)["Role"]
        except ClientError as exc:
            if not_found(exc):
                return None
            raise
        live = dict(inputs)
        live["name"] = role["RoleName"]
        live["assumeRolePolicy"] = same_document(
            role.get("AssumeRolePolicyDocument"), inputs.get("assumeRolePolicy")
        )
        live["permissionsBoundary"] = (role.get("PermissionsBoundary") or {}).get(
            "PermissionsBoundaryArn"
        )
        if inputs.get("permissionsBoundary") is None and live["permissionsBoundary"] is None:
            live.pop("permissionsBoundary")
        if "description" in inputs or role.get("Description"):
            live["description"] = role.get("Description") or inputs.get("description")
        tags = tags_dict(role.get("Tags"))
        if tags or "tags" in inputs:
            live["tags"] = tags
        iam = ctx.client("iam")
        if inputs.get("managedPolicyArns") is not None:
            attached = _attached(iam, id_)
            wanted = list(inputs["managedPolicyArns"])
            live["managedPolicyArns"] = wanted if set(wanted) == set(attached) else attached
        if _manages_inline(inputs):
            docs = _inline(iam, id_)
            wanted_docs = {
                p["name"]: p["policy"] for p in inputs["inlinePolicies"] if p.get("name")
            }
            same = docs.keys() == wanted_docs.keys() and all(
                canonical_json(docs[n]) == canonical_json(wanted_docs[n]) for n in docs
            )
            live["inlinePolicies"] = (
                inputs["inlinePolicies"]
                if same
                else [{"name": n, "policy": canonical_json(d)} for n, d in sorted(docs.items())]
            )
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        iam = ctx.client("iam")
        _exclusive_policies(iam, id_, new)
        if canonical_json(old.get("assumeRolePolicy")) != canonical_json(new["assumeRolePolicy"]):
            iam.update_assume_role_policy(
                RoleName=id_, PolicyDocument=_doc(new["assumeRolePolicy"])
            )
        if old.get("permissionsBoundary") != new.get("permissionsBoundary"):
            if new.get("permissionsBoundary"):
                iam.put_role_permissions_boundary(
                    RoleName=id_, PermissionsBoundary=new["permissionsBoundary"]
                )
            else:
                iam.delete_role_permissions_boundary(RoleName=id_)
        if old.get("description") != new.get("description") or old.get(
            "maxSessionDuration"
        ) != new.get("maxSessionDuration"):
            kwargs: dict[str, Any] = {"RoleName": id_, "Description": new.get("description") or ""}
            if new.get("maxSessionDuration"):
                kwargs["MaxSessionDuration"] = int(new["maxSessionDuration"])
            iam.update_role(**kwargs)
        _sync_tags(
            old.get("tags"),
            new.get("tags"),
            lambda t: iam.tag_role(RoleName=id_, Tags=tags_list(t)),
            lambda keys: iam.untag_role(RoleName=id_, TagKeys=keys),
        )
        return self._outputs(new, iam.get_role(RoleName=id_)["Role"])

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        iam = ctx.client("iam")
        try:
            # Teardown (purge) also removes what was attached out of band, so a drill's
            # extra policy never leaks the role.
            # As the provider: policies the role's own inputs manage go with it.
            if (
                inputs.get("forceDetachPolicies")
                or ctx.purge
                or inputs.get("managedPolicyArns")
                or _manages_inline(inputs)
            ):
                for p in iam.list_attached_role_policies(RoleName=id_)["AttachedPolicies"]:
                    iam.detach_role_policy(RoleName=id_, PolicyArn=p["PolicyArn"])
                for name in iam.list_role_policies(RoleName=id_)["PolicyNames"]:
                    iam.delete_role_policy(RoleName=id_, PolicyName=name)
            iam.delete_role(RoleName=id_)
        except ClientError as exc:
            if not not_found(exc):
                raise


def _attached(iam: Any, role: str) -> list[str]:
    pages = iam.get_paginator("list_attached_role_policies").paginate(RoleName=role)
    return [p["PolicyArn"] for page in pages for p in page["AttachedPolicies"]]


def _inline(iam: Any, role: str) -> dict[str, Any]:
    pages = iam.get_paginator("list_role_policies").paginate(RoleName=role)
    names = [n for page in pages for n in page["PolicyNames"]]
    return {n: iam.get_role_policy(RoleName=role, PolicyName=n)["PolicyDocument"] for n in names}


def _manages_inline(inputs: dict[str, Any]) -> bool:
    """The provider manages a role's inline policies once one block is given (an empty
    block, ``[{}]``, means "none"); no block at all leaves them alone."""
    return bool(inputs.get("inlinePolicies"))


def _exclusive_policies(iam: Any, role: str, inputs: dict[str, Any]) -> None:
    """``managedPolicyArns`` and ``inlinePolicies`` are exclusive, as the provider documents:
    when given, the role ends with exactly those (out-of-band ones are removed)."""
    if inputs.get("managedPolicyArns") is not None:
        wanted = set(inputs["managedPolicyArns"])
        live = set(_attached(iam, role))
        for arn in sorted(live - wanted):
            iam.detach_role_policy(RoleName=role, PolicyArn=arn)
        for arn in sorted(wanted - live):
            iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    if _manages_inline(inputs):
        wanted_docs = {p["name"]: p["policy"] for p in inputs["inlinePolicies"] if p.get("name")}
        live_docs = _inline(iam, role)
        for name in sorted(set(live_docs) - set(wanted_docs)):
            iam.delete_role_policy(RoleName=role, PolicyName=name)
        for name, doc in wanted_docs.items():
            if name not in live_docs or canonical_json(live_docs[name]) != canonical_json(doc):
                iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=_doc(doc))


class _InlinePolicy(Adapter):
    """An inline policy embedded in a role or a user; id = "<owner>:<policy name>".

    The two differ only in the owner's kind, so the boto3 calls are looked up by it:
    put_role_policy(RoleName=…) vs put_user_policy(UserName=…).
    """

    owner: ClassVar[str]  # "role" or "user": the input key and the API's noun
    autoname = ("name", 128)

    def _call(self, ctx: Context, verb: str, owner: str, name: str, **kwargs: Any) -> Any:
        api = getattr(ctx.client("iam"), f"{verb}_{self.owner}_policy")
        return api(**{f"{self.owner.capitalize()}Name": owner, "PolicyName": name}, **kwargs)

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        owner = inputs[self.owner]
        self._call(ctx, "put", owner, inputs["name"], PolicyDocument=_doc(inputs["policy"]))
        id_ = f"{owner}:{inputs['name']}"
        return id_, {**inputs, "id": id_}

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        owner, name = id_.split(":", 1)
        try:
            doc = self._call(ctx, "get", owner, name)
        except ClientError as exc:
            if not_found(exc):
                return None
            raise
        return {**inputs, "policy": same_document(doc["PolicyDocument"], inputs.get("policy"))}

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        return self.create(ctx, new)[1]

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        owner, name = id_.split(":", 1)
        try:
            self._call(ctx, "delete", owner, name)
        except ClientError as exc:
            if not not_found(exc):
                raise


class RolePolicy(_InlinePolicy):
    type_token = "aws:iam/rolePolicy:RolePolicy"
    owner = "role"
    replace_on = frozenset({"role", "name", "namePrefix"})
    handles = frozenset({"role", "name", "namePrefix", "policy"})


class UserPolicy(_InlinePolicy):
    type_token = "aws:iam/userPolicy:UserPolicy"
    owner = "user"
    replace_on = frozenset({"user", "name", "namePrefix"})
    handles = frozenset({"user", "name", "namePrefix", "policy"})


class RolePoliciesExclusive(Adapter):
    """Exclusive management of a role's inline policies (the provider's
    ``aws_iam_role_policies_exclusive``); id = the role name.

    ``policyNames`` lists the inline policies the role may have. Read reports the
    role's live inline policy names, so one added out of band (console, CLI) is drift
    on this resource; create and update delete every inline policy not listed, as the
    provider does. Deleting the resource leaves the role's policies alone.

    The harness's answer to "how does refresh see an extra inline policy": a role's
    inline policies are not an input of ``aws:iam/role:Role`` unless the program lists
    them there (``inlinePolicies``, not modeled), so the Role adapter does not report
    them, just as the provider's refresh does not show them as a diff.
    """

    type_token = "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive"
    replace_on = frozenset({"roleName"})
    handles = frozenset({"roleName", "policyNames"})

    def _live(self, ctx: Context, role: str) -> list[str]:
        pages = ctx.client("iam").get_paginator("list_role_policies").paginate(RoleName=role)
        return [name for page in pages for name in page["PolicyNames"]]

    def _enforce(self, ctx: Context, inputs: dict[str, Any]) -> None:
        role, allowed = inputs["roleName"], set(inputs.get("policyNames") or [])
        for name in self._live(ctx, role):
            if name not in allowed:
                ctx.client("iam").delete_role_policy(RoleName=role, PolicyName=name)

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self._enforce(ctx, inputs)
        return inputs["roleName"], {**inputs, "id": inputs["roleName"]}

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            live = self._live(ctx, id_)
        except ClientError as exc:
            if not_found(exc):
                return None
            raise
        wanted = list(inputs.get("policyNames") or [])
        names = wanted if set(live) == set(wanted) else sorted(live)
        return {**inputs, "policyNames": names}

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        self._enforce(ctx, new)
        return {**new, "id": id_}

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        return None  # the provider only forgets it; the role keeps its policies


class Policy(Adapter):
    """A customer managed policy. Updates add a default version, as the provider does."""

    type_token = "aws:iam/policy:Policy"
    replace_on = frozenset({"name", "namePrefix", "path", "description"})
    autoname = ("name", 128)
    handles = frozenset({"name", "namePrefix", "policy", "path", "description", "tags"})

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "PolicyName": inputs["name"],
            "PolicyDocument": _doc(inputs["policy"]),
            "Path": inputs.get("path") or "/",
        }
        if inputs.get("description"):
            kwargs["Description"] = inputs["description"]
        if inputs.get("tags"):
            kwargs["Tags"] = tags_list(inputs["tags"])
        policy = ctx.client("iam").create_policy(**kwargs)["Policy"]
        return policy["Arn"], {
            **inputs,
            "arn": policy["Arn"],
            "policyId": policy["PolicyId"],
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        path = inputs.get("path") or "/"
        arn = f"arn:{ctx.partition}:iam::{ctx.account_id}:policy{path}{inputs['name']}"
        return {**inputs, "arn": arn, "tagsAll": dict(inputs.get("tags") or {})}

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        iam = ctx.client("iam")
        try:
            policy = iam.get_policy(PolicyArn=id_)["Policy"]
            version = iam.get_policy_version(PolicyArn=id_, VersionId=policy["DefaultVersionId"])
        except ClientError as exc:
            if not_found(exc):
                return None
            raise
        doc = version["PolicyVersion"]["Document"]
        return {**inputs, "policy": same_document(doc, inputs.get("policy"))}

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        iam = ctx.client("iam")
        if canonical_json(old.get("policy")) != canonical_json(new["policy"]):
            versions = iam.list_policy_versions(PolicyArn=id_)["Versions"]
            if len(versions) >= 5:  # AWS keeps five: drop the oldest non-default first
                oldest = min(
                    (v for v in versions if not v["IsDefaultVersion"]),
                    key=lambda v: v["CreateDate"],
                )
                iam.delete_policy_version(PolicyArn=id_, VersionId=oldest["VersionId"])
            iam.create_policy_version(
                PolicyArn=id_, PolicyDocument=_doc(new["policy"]), SetAsDefault=True
            )
        return {**new, "arn": id_, "tagsAll": dict(new.get("tags") or {})}

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        iam = ctx.client("iam")
        try:
            for v in iam.list_policy_versions(PolicyArn=id_)["Versions"]:
                if not v["IsDefaultVersion"]:
                    iam.delete_policy_version(PolicyArn=id_, VersionId=v["VersionId"])
            iam.delete_policy(PolicyArn=id_)
        except ClientError as exc:
            if not not_found(exc):
                raise


class RolePolicyAttachment(Adapter):
    type_token = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    replace_on = frozenset({"role", "policyArn"})
    handles = frozenset({"role", "policyArn"})

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        ctx.client("iam").attach_role_policy(RoleName=inputs["role"], PolicyArn=inputs["policyArn"])
        id_ = f"{inputs['role']}/{inputs['policyArn']}"
        return id_, {**inputs, "id": id_}

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            attached = ctx.client("iam").list_attached_role_policies(RoleName=inputs["role"])
        except ClientError as exc:
            if not_found(exc):
                return None
            raise
        arns = {p["PolicyArn"] for p in attached["AttachedPolicies"]}
        return dict(inputs) if inputs["policyArn"] in arns else None

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("iam").detach_role_policy(
                RoleName=inputs["role"], PolicyArn=inputs["policyArn"]
            )
        except ClientError as exc:
            if not not_found(exc):
                raise


class User(Adapter):
    type_token = "aws:iam/user:User"
    replace_on = frozenset({"name"})
    autoname = ("name", 64)
    handles = frozenset({"name", "path", "permissionsBoundary", "tags"})

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {"UserName": inputs["name"], "Path": inputs.get("path") or "/"}
        if inputs.get("permissionsBoundary"):
            kwargs["PermissionsBoundary"] = inputs["permissionsBoundary"]
        if inputs.get("tags"):
            kwargs["Tags"] = tags_list(inputs["tags"])
        user = ctx.client("iam").create_user(**kwargs)["User"]
        return user["UserName"], self._outputs(inputs, user)

    def _outputs(self, inputs: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
        return {
            **inputs,
            "arn": user["Arn"],
            "uniqueId": user["UserId"],
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        path = inputs.get("path") or "/"
        arn = f"arn:{ctx.partition}:iam::{ctx.account_id}:user{path}{inputs['name']}"
        return {**inputs, "arn": arn, "tagsAll": dict(inputs.get("tags") or {})}

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            user = ctx.client("iam").get_user(UserName=id_)["User"]
        except ClientError as exc:
            if not_found(exc):
                return None
            raise
        live = {**inputs, "name": user["UserName"]}
        tags = tags_dict(user.get("Tags"))
        if tags or "tags" in inputs:
            live["tags"] = tags
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        iam = ctx.client("iam")
        _sync_tags(
            old.get("tags"),
            new.get("tags"),
            lambda t: iam.tag_user(UserName=id_, Tags=tags_list(t)),
            lambda keys: iam.untag_user(UserName=id_, TagKeys=keys),
        )
        if old.get("permissionsBoundary") != new.get("permissionsBoundary"):
            if new.get("permissionsBoundary"):
                iam.put_user_permissions_boundary(
                    UserName=id_, PermissionsBoundary=new["permissionsBoundary"]
                )
            else:
                iam.delete_user_permissions_boundary(UserName=id_)
        return self._outputs(new, iam.get_user(UserName=id_)["User"])

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        iam = ctx.client("iam")
        try:
            # The provider's force_destroy removes what others attached to the user;
            # the harness always does for access keys its own checks issued.
            for key in iam.list_access_keys(UserName=id_)["AccessKeyMetadata"]:
                iam.delete_access_key(UserName=id_, AccessKeyId=key["AccessKeyId"])
            iam.delete_user(UserName=id_)
        except ClientError as exc:
            if not not_found(exc):
                raise


def _sync_tags(old: Any, new: Any, tag: Any, untag: Any) -> None:
    old, new = dict(old or {}), dict(new or {})
    removed = [k for k in old if k not in new]
    if removed:
        untag(removed)
    changed = {k: v for k, v in new.items() if old.get(k) != v}
    if changed:
        tag(changed)


class AccessKey(Adapter):
    """An access key of a user; id = the access key id, ``secret`` an output (write-once)."""

    type_token = "aws:iam/accessKey:AccessKey"
    replace_on = frozenset({"user", "pgpKey"})
    handles = frozenset({"user", "status"})

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        iam = ctx.client("iam")
        key = iam.create_access_key(UserName=inputs["user"])["AccessKey"]
        if inputs.get("status") == "Inactive":
            iam.update_access_key(
                UserName=inputs["user"], AccessKeyId=key["AccessKeyId"], Status="Inactive"
            )
        return key["AccessKeyId"], {
            **inputs,
            "status": inputs.get("status") or "Active",
            "secret": key["SecretAccessKey"],
            "createDate": str(key.get("CreateDate", "")),
        }

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            keys = ctx.client("iam").list_access_keys(UserName=inputs["user"])
        except ClientError as exc:
            if not_found(exc):
                return None
            raise
        found = next((k for k in keys["AccessKeyMetadata"] if k["AccessKeyId"] == id_), None)
        if found is None:
            return None
        live = dict(inputs)
        if inputs.get("status") or found["Status"] != "Active":
            live["status"] = found["Status"]
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        status = new.get("status") or "Active"
        ctx.client("iam").update_access_key(UserName=new["user"], AccessKeyId=id_, Status=status)
        return {**new, "status": status}

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("iam").delete_access_key(UserName=inputs["user"], AccessKeyId=id_)
        except ClientError as exc:
            if not not_found(exc):
                raise


class InstanceProfile(Adapter):
    """What an EC2 instance assumes its role through; id = the profile name."""

    type_token = "aws:iam/instanceProfile:InstanceProfile"
    replace_on = frozenset({"name", "namePrefix", "path"})
    autoname = ("name", 128)
    handles = frozenset({"name", "namePrefix", "path", "role", "tags"})

    def _outputs(self, inputs: dict[str, Any], profile: dict[str, Any]) -> dict[str, Any]:
        return {
            **inputs,
            "arn": profile["Arn"],
            "uniqueId": profile["InstanceProfileId"],
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        path = inputs.get("path") or "/"
        arn = f"arn:{ctx.partition}:iam::{ctx.account_id}:instance-profile{path}{inputs['name']}"
        return {**inputs, "arn": arn, "tagsAll": dict(inputs.get("tags") or {})}

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        iam = ctx.client("iam")
        kwargs: dict[str, Any] = {
            "InstanceProfileName": inputs["name"],
            "Path": inputs.get("path") or "/",
        }
        if inputs.get("tags"):
            kwargs["Tags"] = tags_list(inputs["tags"])
        profile = iam.create_instance_profile(**kwargs)["InstanceProfile"]
        if inputs.get("role"):
            iam.add_role_to_instance_profile(
                InstanceProfileName=inputs["name"], RoleName=inputs["role"]
            )
        return inputs["name"], self._outputs(inputs, profile)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            profile = ctx.client("iam").get_instance_profile(InstanceProfileName=id_)
        except ClientError as exc:
            if not_found(exc):
                return None
            raise
        roles = [r["RoleName"] for r in profile["InstanceProfile"].get("Roles", [])]
        live = dict(inputs)
        if inputs.get("role") or roles:
            live["role"] = roles[0] if roles else None
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        iam = ctx.client("iam")
        if old.get("role") != new.get("role"):
            if old.get("role"):
                iam.remove_role_from_instance_profile(InstanceProfileName=id_, RoleName=old["role"])
            if new.get("role"):
                iam.add_role_to_instance_profile(InstanceProfileName=id_, RoleName=new["role"])
        _sync_tags(
            old.get("tags"),
            new.get("tags"),
            lambda t: iam.tag_instance_profile(InstanceProfileName=id_, Tags=tags_list(t)),
            lambda keys: iam.untag_instance_profile(InstanceProfileName=id_, TagKeys=keys),
        )
        return self._outputs(
            new, iam.get_instance_profile(InstanceProfileName=id_)["InstanceProfile"]
        )

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        iam = ctx.client("iam")
        try:
            profile = iam.get_instance_profile(InstanceProfileName=id_)["InstanceProfile"]
            for role in profile.get("Roles", []):
                iam.remove_role_from_instance_profile(
                    InstanceProfileName=id_, RoleName=role["RoleName"]
                )
            iam.delete_instance_profile(InstanceProfileName=id_)
        except ClientError as exc:
            if not not_found(exc):
                raise


ADAPTERS: list[type[Adapter]] = [
    AccessKey,
    InstanceProfile,
    Role,
    RolePolicy,
    RolePoliciesExclusive,
    UserPolicy,
    Policy,
    RolePolicyAttachment,
    User,
]
