"""ECR: image repositories. moto stores them (and images pushed through its API); there
is no registry to ``docker push`` to.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from harness.adapters.base import Adapter, Context, not_found, tags_list

_GONE = ("RepositoryNotFoundException",)


class Repository(Adapter):
    type_token = "aws:ecr/repository:Repository"
    replace_on = frozenset({"name", "encryptionConfigurations"})
    autoname = ("name", 256)
    handles = frozenset(
        {"name", "imageTagMutability", "imageScanningConfiguration", "encryptionConfigurations",
         "forceDelete", "tags"}
    )  # fmt: skip

    def _outputs(self, ctx: Context, inputs: dict[str, Any], repo: dict[str, Any]) -> dict:
        name = inputs["name"]
        return {
            **inputs,
            "arn": repo.get("repositoryArn")
            or f"arn:{ctx.partition}:ecr:{ctx.region}:{ctx.account_id}:repository/{name}",
            "registryId": repo.get("registryId", ctx.account_id),
            "repositoryUrl": repo.get("repositoryUri")
            or f"{ctx.account_id}.dkr.ecr.{ctx.region}.amazonaws.com/{name}",
            "imageTagMutability": inputs.get("imageTagMutability") or "MUTABLE",
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    def plan(self, ctx: Context, inputs: dict[str, Any]) -> dict[str, Any]:
        return self._outputs(ctx, inputs, {})

    def create(self, ctx: Context, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "repositoryName": inputs["name"],
            "imageTagMutability": inputs.get("imageTagMutability") or "MUTABLE",
        }
        scanning = inputs.get("imageScanningConfiguration")
        if scanning:
            kwargs["imageScanningConfiguration"] = {"scanOnPush": bool(scanning.get("scanOnPush"))}
        encryption = (inputs.get("encryptionConfigurations") or [None])[0]
        if encryption:
            kwargs["encryptionConfiguration"] = {
                k: v for k, v in encryption.items() if v is not None
            }
        if inputs.get("tags"):
            kwargs["tags"] = tags_list(inputs["tags"])
        repo = ctx.client("ecr").create_repository(**kwargs)["repository"]
        return inputs["name"], self._outputs(ctx, inputs, repo)

    def read(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
        try:
            repo = ctx.client("ecr").describe_repositories(repositoryNames=[id_])["repositories"][0]
        except ClientError as exc:
            if not_found(exc, *_GONE):
                return None
            raise
        live = dict(inputs)
        if inputs.get("imageTagMutability") is not None:
            live["imageTagMutability"] = repo.get("imageTagMutability")
        scanning = repo.get("imageScanningConfiguration") or {}
        if inputs.get("imageScanningConfiguration") is not None:
            live["imageScanningConfiguration"] = {"scanOnPush": bool(scanning.get("scanOnPush"))}
        return live

    def update(
        self, ctx: Context, id_: str, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        ecr = ctx.client("ecr")
        if old.get("imageTagMutability") != new.get("imageTagMutability"):
            ecr.put_image_tag_mutability(
                repositoryName=id_,
                imageTagMutability=new.get("imageTagMutability") or "MUTABLE",
            )
        if old.get("imageScanningConfiguration") != new.get("imageScanningConfiguration"):
            scan = bool((new.get("imageScanningConfiguration") or {}).get("scanOnPush"))
            ecr.put_image_scanning_configuration(
                repositoryName=id_, imageScanningConfiguration={"scanOnPush": scan}
            )
        arn = self._outputs(ctx, new, {})["arn"]
        old_tags, new_tags = dict(old.get("tags") or {}), dict(new.get("tags") or {})
        if removed := [k for k in old_tags if k not in new_tags]:
            ecr.untag_resource(resourceArn=arn, tagKeys=removed)
        if new_tags and new_tags != old_tags:
            ecr.tag_resource(resourceArn=arn, tags=tags_list(new_tags))
        return self._outputs(ctx, new, {})

    def delete(self, ctx: Context, id_: str, inputs: dict[str, Any]) -> None:
        try:
            ctx.client("ecr").delete_repository(
                repositoryName=id_, force=bool(inputs.get("forceDelete") or ctx.purge)
            )
        except ClientError as exc:
            if not not_found(exc, *_GONE):
                raise


ADAPTERS: list[type[Adapter]] = [Repository]
